import type { SocketEventLike, WebSocketLike } from 'agent-gateway-client';

type Kind = 'open' | 'message' | 'close' | 'error';
type Listener = (event: SocketEventLike) => void;

/** A scriptable in-memory WebSocket: the test plays the server through `open`, `receive`, `serverClose`. */
export class FakeSocket implements WebSocketLike {
  readyState = 0;
  /** Raw frames the client wrote, in order. */
  readonly sent: string[] = [];
  /** The code and reason the client closed with, if it did. */
  closedWith: { code: number | undefined; reason: string | undefined } | undefined;
  readonly #listeners: Record<Kind, Set<Listener>> = {
    open: new Set(),
    message: new Set(),
    close: new Set(),
    error: new Set(),
  };

  constructor(readonly url: string) {}

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('FakeSocket: send while not open');
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 2;
  }

  addEventListener(type: Kind, listener: Listener): void {
    this.#listeners[type].add(listener);
  }

  removeEventListener(type: Kind, listener: Listener): void {
    this.#listeners[type].delete(listener);
  }

  /** Frames the client wrote, parsed. */
  get frames(): Array<Record<string, unknown>> {
    return this.sent.map((raw) => JSON.parse(raw) as Record<string, unknown>);
  }

  /** Types of the frames the client wrote. */
  get frameTypes(): string[] {
    return this.frames.map((frame) => String(frame.type));
  }

  /** Listeners still attached (0 after the adapter stopped, apart from its guard on `error`). */
  listenerCount(type?: Kind): number {
    const kinds: Kind[] = type ? [type] : ['open', 'message', 'close'];
    return kinds.reduce((total, kind) => total + this.#listeners[kind].size, 0);
  }

  /** Server side: the handshake succeeds. */
  open(): void {
    this.readyState = 1;
    this.#fire('open', { type: 'open' });
  }

  /** Server side: a frame arrives (objects are JSON-encoded, strings sent as they are). */
  receive(frame: object | string): void {
    this.#fire('message', {
      type: 'message',
      data: typeof frame === 'string' ? frame : JSON.stringify(frame),
    });
  }

  /** Server side: the link closes (1006 = dropped without a close frame). */
  serverClose(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.#fire('close', { type: 'close', code, reason });
  }

  /** Server side: the server's close frame arrived (CLOSING); the close event comes later, if at all. */
  startClosing(): void {
    this.readyState = 2;
  }

  /** Server side: an error event alone (a real socket follows it with a close; tests may not). */
  emitError(message = 'socket error'): void {
    this.#fire('error', { type: 'error', message });
  }

  /** Server side: an error, then the close that always follows it. */
  fail(message = 'connection refused'): void {
    this.#fire('error', { type: 'error', message });
    this.serverClose(1006);
  }

  #fire(type: Kind, event: SocketEventLike): void {
    for (const listener of [...this.#listeners[type]]) listener(event);
  }
}

/** A WebSocket class whose instances the test can reach, in creation order. */
export function createFakeSocketClass() {
  const sockets: FakeSocket[] = [];
  class TestSocket extends FakeSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return { WebSocket: TestSocket, sockets };
}
