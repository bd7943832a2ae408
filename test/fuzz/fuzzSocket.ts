import { FakeSocket } from '../support/fakeSocket.js';

/** Where a socket's authentication stands, as seen on the wire (frames written and received). */
export type WireAuth = 'preAuth' | 'authed' | 'expired';

/** Told about every frame the client writes, at the moment it writes it. */
export type WriteObserver = (socket: FuzzSocket, raw: string) => void;

/**
 * The test support's fake socket plus what the fuzz model needs to know about one link: whether
 * the server side closed it, where its authentication stands, and its heartbeat and command traffic.
 */
export class FuzzSocket extends FakeSocket {
  /** Set when the test (the server side) closed the link. */
  serverClosed = false;
  /** `auth` frames written. */
  authWrites = 0;
  /** What the frames say so far: after `auth_expired` nothing but `auth` may be written. */
  wireAuth: WireAuth = 'preAuth';
  /** An `auth_success` arrived after the last `auth` written. */
  authSucceeded = false;
  heartbeatsWritten = 0;
  /** Heartbeats the scripted server has answered (acks sent, live or not). */
  acksSent = 0;
  /** Acks delivered while the socket was live: what the client can know. */
  acksReceived = 0;
  /** When the client created it (fake clock). */
  readonly createdAt = Date.now();
  /** When the last `auth` was written. */
  authWrittenAt = 0;
  /** When the last frame arrived while the socket was live: what resets the heartbeat's deadline. */
  lastFrameAt = 0;
  /** Commands written here, not yet confirmed: commandId → heartbeats written before it. */
  readonly unconfirmed = new Map<string, number>();
  /** Every commandId written here. */
  readonly commandIds = new Set<string>();

  constructor(
    url: string,
    readonly index: number,
    readonly observe: WriteObserver,
    /** Fire `close` inside `close()`, as some WebSocket implementations do, instead of never. */
    readonly syncCloseEvents: boolean,
  ) {
    super(url);
  }

  /** Created by the client and closed by neither side. */
  get live(): boolean {
    return this.closedWith === undefined && !this.serverClosed;
  }

  override send(data: string): void {
    super.send(data);
    this.observe(this, data);
  }

  override close(code?: number, reason?: string): void {
    super.close(code, reason);
    if (this.syncCloseEvents) this.serverClose(code ?? 1005, reason ?? '');
  }

  /** Records what a frame about to be delivered on this live socket tells the model. */
  noteReceived(type: string, valid: boolean): void {
    this.lastFrameAt = Date.now();
    if (!valid) return;
    if (type === 'auth_success' && this.authWrites > 0) {
      this.wireAuth = 'authed';
      this.authSucceeded = true;
    } else if (type === 'auth_expired' && this.wireAuth === 'authed') {
      this.wireAuth = 'expired';
    } else if (type === 'heartbeat_ack') {
      this.acksReceived++;
    }
  }

  /** Server side: the link closes with this code. */
  closeFromServer(code: number, reason: string): void {
    this.serverClosed = true;
    this.serverClose(code, reason);
  }

  /** Server side: the closing handshake began (a close frame arrived); the close event comes later. */
  beginClosing(): void {
    this.readyState = 2;
  }
}

/** A WebSocket class for the client whose instances report their writes to `observe`. */
export function createFuzzSocketClass(observe: WriteObserver, syncCloseEvents: boolean) {
  const sockets: FuzzSocket[] = [];
  class ScriptedSocket extends FuzzSocket {
    constructor(url: string) {
      super(url, sockets.length, observe, syncCloseEvents);
      sockets.push(this);
    }
  }
  return { WebSocket: ScriptedSocket, sockets };
}
