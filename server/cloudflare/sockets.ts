import { isAuthenticated, type SocketState } from '../core/socketProtocol.js';

/** One socket's serialized state (its hibernation attachment): who it is and its protocol state. */
export interface SocketRecord {
  /** Random id of the socket (keys its in-memory rate budget, frame queue and timers). */
  sid: string;
  chatKey: string;
  /** The protocol core's state (`server/core/socketProtocol.ts`). */
  protocol: SocketState;
}

/**
 * The in-memory mirror of every socket's attachment: rebuilt from `getWebSockets()` when the
 * object wakes, written through on every change. Broadcasts and the alarm read it instead of
 * deserializing each attachment every time.
 */
export class SocketIndex {
  readonly #list: () => WebSocket[];
  #records: Map<WebSocket, SocketRecord> | undefined;

  constructor(list: () => WebSocket[]) {
    this.#list = list;
  }

  /** The record of a socket, if it is one of this object's. */
  get(ws: WebSocket): SocketRecord | undefined {
    const records = this.#all();
    let record = records.get(ws);
    if (record === undefined) {
      record = (ws.deserializeAttachment() as SocketRecord | null) ?? undefined;
      if (record !== undefined) records.set(ws, record);
    }
    return record;
  }

  /** Stores a socket's new record (attachment and mirror). */
  set(ws: WebSocket, record: SocketRecord): void {
    ws.serializeAttachment(record);
    this.#all().set(ws, record);
  }

  /** Forgets a socket that closed. */
  delete(ws: WebSocket): SocketRecord | undefined {
    const record = this.get(ws);
    this.#all().delete(ws);
    return record;
  }

  /** Every socket with its record. */
  entries(): IterableIterator<[WebSocket, SocketRecord]> {
    return this.#all().entries();
  }

  /** Sockets not closed by the gateway. */
  get openCount(): number {
    return this.#count((phase) => phase !== 'closed');
  }

  /** Sockets that have not authenticated yet (heartbeats must then reach the object). */
  get awaitingAuthCount(): number {
    return this.#count((phase) => phase === 'awaitingAuth');
  }

  /** The earliest deadline of an authenticated socket (the alarm's business), if any. */
  nextAuthenticatedDeadline(deadlineOf: (state: SocketState) => number | undefined): number | undefined {
    let next: number | undefined;
    for (const { protocol } of this.#all().values()) {
      if (!isAuthenticated(protocol.phase)) continue;
      const deadline = deadlineOf(protocol);
      if (deadline !== undefined && (next === undefined || deadline < next)) next = deadline;
    }
    return next;
  }

  #count(test: (phase: SocketState['phase']) => boolean): number {
    let count = 0;
    for (const { protocol } of this.#all().values()) if (test(protocol.phase)) count++;
    return count;
  }

  #all(): Map<WebSocket, SocketRecord> {
    if (this.#records === undefined) {
      this.#records = new Map();
      for (const ws of this.#list()) {
        const record = ws.deserializeAttachment() as SocketRecord | null;
        if (record !== null) this.#records.set(ws, record);
      }
    }
    return this.#records;
  }
}
