/**
 * Where a socket is in the protocol (SPEC §3), kept in its hibernation attachment so it survives
 * eviction: `awaitingAuth` → `awaitingResume` (authenticated) → `live`, back to `awaitingAuth` after
 * `auth_expired`, and `closed` once the gateway closed it.
 */
export type SocketPhase = 'awaitingAuth' | 'awaitingResume' | 'live' | 'closed';

/** One socket's serialized state. */
export interface SocketState {
  /** Random id of the socket (keys its in-memory rate budget and frame queue). */
  sid: string;
  chatKey: string;
  phase: SocketPhase;
  /** While `awaitingAuth`: the auth deadline; once authenticated: the token's expiry. Ms since the epoch. */
  deadline?: number;
}

/**
 * The in-memory mirror of every socket's attachment: rebuilt from `getWebSockets()` when the
 * object wakes, written through on every change. Broadcasts and the alarm read it instead of
 * deserializing each attachment every time.
 */
export class SocketIndex {
  readonly #list: () => WebSocket[];
  #states: Map<WebSocket, SocketState> | undefined;

  constructor(list: () => WebSocket[]) {
    this.#list = list;
  }

  /** The state of a socket, if it is one of this object's. */
  get(ws: WebSocket): SocketState | undefined {
    const states = this.#all();
    let state = states.get(ws);
    if (state === undefined) {
      state = (ws.deserializeAttachment() as SocketState | null) ?? undefined;
      if (state !== undefined) states.set(ws, state);
    }
    return state;
  }

  /** Stores a socket's new state (attachment and mirror). */
  set(ws: WebSocket, state: SocketState): void {
    ws.serializeAttachment(state);
    this.#all().set(ws, state);
  }

  /** Forgets a socket that closed. */
  delete(ws: WebSocket): SocketState | undefined {
    const state = this.get(ws);
    this.#all().delete(ws);
    return state;
  }

  /** Every socket with its state. */
  entries(): IterableIterator<[WebSocket, SocketState]> {
    return this.#all().entries();
  }

  /** Sockets not closed by the gateway. */
  get openCount(): number {
    let count = 0;
    for (const state of this.#all().values()) if (state.phase !== 'closed') count++;
    return count;
  }

  /** Whether some socket still has to authenticate (then heartbeats must reach the object). */
  anyAwaitingAuth(): boolean {
    for (const state of this.#all().values()) if (state.phase === 'awaitingAuth') return true;
    return false;
  }

  /** The earliest deadline of an open socket, if any. */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const { phase, deadline } of this.#all().values()) {
      if (phase !== 'closed' && deadline !== undefined && (next === undefined || deadline < next))
        next = deadline;
    }
    return next;
  }

  #all(): Map<WebSocket, SocketState> {
    if (this.#states === undefined) {
      this.#states = new Map();
      for (const ws of this.#list()) {
        const state = ws.deserializeAttachment() as SocketState | null;
        if (state !== null) this.#states.set(ws, state);
      }
    }
    return this.#states;
  }
}

/**
 * Per-socket token buckets: `burst` frames at once, refilled at `perSecond`. In memory only: a
 * budget restarts full after eviction, which needs ~10 s of silence anyway.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(readonly limit: { burst: number; perSecond: number }) {}

  /** Takes one frame from the socket's budget; `false` when it is spent. */
  take(sid: string, now: number): boolean {
    const bucket = this.#buckets.get(sid) ?? { tokens: this.limit.burst, at: now };
    bucket.tokens = Math.min(
      this.limit.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond,
    );
    bucket.at = now;
    this.#buckets.set(sid, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens--;
    return true;
  }

  /** Drops a closed socket's budget. */
  forget(sid: string): void {
    this.#buckets.delete(sid);
  }
}
