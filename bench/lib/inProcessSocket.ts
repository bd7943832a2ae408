import type { SocketEventLike, WebSocketLike } from '../../src/index.js';

/** Which protocol a simulated gateway speaks: ours with its extensions, exactly the original's, or LobeHub's v1. */
export type GatewayDialect = 'reference' | 'original' | 'lobehub';

type Kind = 'open' | 'message' | 'close' | 'error';
type Listener = (event: SocketEventLike) => void;

/** The thinnest possible WebSocket stand-in: frames go straight to the listeners, nothing recorded. */
export class InProcessSocket implements WebSocketLike {
  static last: InProcessSocket | undefined;
  readyState = 0;
  readonly #listeners: Record<Kind, Listener[]> = { open: [], message: [], close: [], error: [] };

  constructor(_url: string) {
    InProcessSocket.last = this;
  }
  send(): void {}
  close(): void {
    this.readyState = 3;
  }
  addEventListener(type: Kind, listener: Listener): void {
    this.#listeners[type].push(listener);
  }
  removeEventListener(type: Kind, listener: Listener): void {
    this.#listeners[type] = this.#listeners[type].filter((other) => other !== listener);
  }
  /** Opens the socket (the client then writes `auth`). */
  openOnly(): void {
    this.readyState = 1;
    for (const listener of this.#listeners.open) listener({ type: 'open' });
  }
  /**
   * Opens the socket and authenticates it as a gateway of `dialect` does, replay over: the client is
   * live. The reference gateway announces its extensions and ends the replay with `resume_complete`;
   * the original announces nothing and streams at once (a first link asks for no replay); LobeHub's
   * ends the replay with `resume_complete`.
   */
  connectAndAuthenticate(dialect: GatewayDialect = 'reference'): void {
    this.openOnly();
    if (dialect === 'reference') {
      this.deliver('{"capabilities":["command_id","resume_complete","auth_expired"],"type":"auth_success"}');
      this.deliver('{"status":"running","type":"resume_complete"}');
    } else if (dialect === 'lobehub') {
      this.deliver('{"type":"auth_success"}');
      this.deliver('{"status":"running","type":"resume_complete"}');
    } else {
      this.deliver('{"type":"auth_success"}');
    }
  }
  /** The server drops the link. */
  serverClose(code: number): void {
    this.readyState = 3;
    for (const listener of this.#listeners.close) listener({ type: 'close', code, reason: '' });
  }
  deliver(data: string): void {
    const event = { type: 'message', data };
    for (const listener of this.#listeners.message) listener(event);
  }
}
