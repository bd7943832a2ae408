import { DurableObject } from 'cloudflare:workers';
import type { SessionEventMessage } from '../../src/protocol/types.js';
import { Closes } from '../core/closes.js';
import { HEARTBEAT, HEARTBEAT_ACK } from '../core/frames.js';
import type { GatewayLimits } from '../core/limits.js';
import { heardFrom, isAuthenticated, nextDeadline, type SocketRules } from '../core/socketProtocol.js';
import type { AppendFrame, CommandsResponse, SessionState } from './api.js';
import { handleRuntimeRequest, type RuntimeSession } from './runtimeApi.js';
import { hasStore, SessionStore } from './sessionStore.js';
import { type GatewayVars, readLimits } from './settings.js';
import { SocketDriver } from './socketDriver.js';
import { SocketIndex } from './sockets.js';
import { verifySessionToken } from './verifyToken.js';

const MAX_WAIT_MS = 25_000;

/**
 * One chatKey's session (docs/protocol.md, docs/cloudflare.md) as a Durable Object: sockets held with the WebSocket
 * Hibernation API (each one's protocol state in its attachment, driven by the shared protocol core),
 * the event log, status and commands in SQLite — created only once a socket authenticates or the
 * runtime writes — and the deadlines of authenticated sockets and the session's TTL on the alarm.
 * Heartbeats are answered by the runtime without waking the object whenever no socket is still
 * authenticating.
 */
export class SessionObject extends DurableObject<GatewayVars> implements RuntimeSession {
  readonly #instance = { id: crypto.randomUUID(), startedAt: Date.now() };
  readonly #limits: GatewayLimits;
  readonly #rules: SocketRules;
  readonly #sockets: SocketIndex;
  readonly #driver: SocketDriver;
  readonly #waiters = new Set<(evicted: boolean) => void>();
  #store: SessionStore | undefined;
  #alarmAt: number | null = null;
  #autoResponse: boolean;

  constructor(ctx: DurableObjectState, env: GatewayVars) {
    super(ctx, env);
    this.#limits = readLimits(env);
    this.#rules = { dialect: 'reference', limits: this.#limits };
    this.#sockets = new SocketIndex(() => ctx.getWebSockets());
    this.#autoResponse = ctx.getWebSocketAutoResponse() !== null;
    void ctx.blockConcurrencyWhile(async () => {
      this.#alarmAt = await ctx.storage.getAlarm();
    });
    this.#driver = new SocketDriver({
      rules: this.#rules,
      limits: this.#limits,
      sockets: this.#sockets,
      verify: (token, chatKey) => verifySessionToken(this.env.GATEWAY_SECRET ?? '', token, chatKey),
      apply: (frame) => {
        if (this.#storeOrCreate().applyCommand(frame, Date.now()) === 'applied') this.#wakeWaiters(false);
      },
      replay: (lastEventId, send) => {
        const store = this.#storeOrCreate();
        return { status: store.status, recovered: store.replay(lastEventId, send, Date.now()) };
      },
      wakeAt: (at) => this.#wakeAt(at),
      phasesChanged: () => this.#syncAutoResponse(),
    });
    this.#syncAutoResponse();
  }

  /** `/ws?chatKey=` upgrades; everything else is the runtime API (already authorized by the Worker). */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/ws') return this.#accept(request, url.searchParams.get('chatKey') ?? '');
    return handleRuntimeRequest(this, request, url);
  }

  /** A client frame: checked at once, then handled in the socket's order. */
  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await this.#driver.receive(ws, message, Date.now());
  }

  /** The client closed (or answered our close): forget the socket. */
  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    this.#forget(ws);
    // Complete the closing handshake (a no-op if the runtime already answered it).
    try {
      ws.close(code === 1005 || code === 1006 || code === 1015 ? 1000 : code, reason);
    } catch {
      // already closed
    }
  }

  /** The link failed: forget the socket. */
  override webSocketError(ws: WebSocket): void {
    this.#forget(ws);
  }

  /** Token expiry notices and idle timeouts of authenticated sockets, and the session's TTL. */
  override async alarm(): Promise<void> {
    this.#alarmAt = null;
    const now = Date.now();
    for (const [ws, record] of [...this.#sockets.entries()]) {
      if (!isAuthenticated(record.protocol.phase)) continue;
      // Heartbeats answered by the runtime are proof of life the object never saw.
      const heard = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
      this.#sockets.set(ws, { ...record, protocol: heardFrom(record.protocol, heard) });
      await this.#driver.run(ws, { type: 'tick' });
    }
    if (this.#sockets.openCount === 0 && this.#storeIfAny() !== undefined) {
      const store = this.#storeIfAny() as SessionStore;
      if (now >= store.activeAt + this.#limits.sessionTtlMs) return this.#evict();
      this.#wakeAt(store.activeAt + this.#limits.sessionTtlMs);
    }
    const next = this.#sockets.nextAuthenticatedDeadline((state) => nextDeadline(state, this.#rules));
    if (next !== undefined) this.#wakeAt(next);
  }

  /** Runtime API: appends events, then sends each to every live socket; refuses any after the end. */
  append(frames: readonly AppendFrame[]): SessionEventMessage[] {
    const store = this.#storeOrCreate();
    const stored = store.append(frames, Date.now());
    for (const { encoded } of stored) {
      for (const [ws, record] of this.#sockets.entries()) {
        if (record.protocol.phase !== 'live') continue;
        try {
          ws.send(encoded);
        } catch {
          // closing
        }
      }
    }
    if (store.ended) this.#wakeWaiters(false);
    if (this.#sockets.openCount === 0) this.#wakeAt(Date.now() + this.#limits.sessionTtlMs);
    return stored.map(({ event }) => event);
  }

  /** Runtime API: every kept event. */
  log(): SessionEventMessage[] {
    return this.#storeIfAny()?.events() ?? [];
  }

  /** Runtime API: commands applied after `after`, waiting up to `waitMs` (at most 25 s) for one. */
  async commands(after: number, waitMs: number): Promise<CommandsResponse> {
    let commands = this.#storeIfAny()?.commandsAfter(after) ?? [];
    let evicted = false;
    if (commands.length === 0 && this.#storeIfAny()?.ended !== true && waitMs > 0) {
      evicted = await new Promise<boolean>((resolve) => {
        const done = (gone: boolean) => {
          clearTimeout(timer);
          this.#waiters.delete(done);
          resolve(gone);
        };
        const timer = setTimeout(() => done(false), Math.min(waitMs, MAX_WAIT_MS));
        this.#waiters.add(done);
      });
      commands = evicted ? [] : (this.#storeIfAny()?.commandsAfter(after) ?? []);
    }
    return {
      commands,
      ended: evicted || this.#storeIfAny()?.ended === true,
      ...(evicted ? { evicted } : {}),
    };
  }

  /** Runtime API: what the object holds, and which in-memory instance answered. */
  state(chatKey: string): SessionState {
    const store = this.#storeIfAny();
    return {
      chatKey,
      status: store?.status ?? null,
      ended: store?.ended ?? false,
      eventCount: store?.eventCount ?? 0,
      lastEventId: store?.lastEventId ?? null,
      lastCommandSeq: store?.lastCommandSeq ?? 0,
      sockets: this.#sockets.openCount,
      stored: store !== undefined,
      alarmAt: this.#alarmAt,
      instance: this.#instance,
    };
  }

  /** Runtime API: closes every socket with 1012; the clients reconnect and resume. Returns how many. */
  disconnect(): number {
    let closed = 0;
    for (const [ws, record] of [...this.#sockets.entries()]) {
      if (record.protocol.phase === 'closed') continue;
      this.#driver.end(ws, Closes.restarting);
      closed++;
    }
    return closed;
  }

  #accept(request: Request, chatKey: string): Response {
    if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket')
      return new Response('Expected a WebSocket upgrade', { status: 426 });
    if (this.#sockets.awaitingAuthCount >= this.#limits.maxUnauthenticatedSockets)
      return new Response('Too many sockets waiting to authenticate', {
        status: 503,
        headers: { 'retry-after': '5' },
      });
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    this.#driver.accept(server, chatKey, Date.now());
    return new Response(null, { status: 101, webSocket: client });
  }

  #forget(ws: WebSocket): void {
    const record = this.#sockets.delete(ws);
    if (record === undefined) return;
    this.#driver.forget(record.sid);
    this.#syncAutoResponse();
    // The last socket left: the session's TTL starts now.
    const store = this.#storeIfAny();
    if (store !== undefined && this.#sockets.openCount === 0) {
      store.touch(Date.now());
      this.#wakeAt(Date.now() + this.#limits.sessionTtlMs);
    }
  }

  // Deletes everything the session stored (and its alarm): the same as a session never used.
  async #evict(): Promise<void> {
    this.#store = undefined;
    this.#alarmAt = null;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.#wakeWaiters(true);
  }

  #storeIfAny(): SessionStore | undefined {
    if (this.#store === undefined && hasStore(this.ctx.storage)) this.#store = this.#newStore();
    return this.#store;
  }

  #storeOrCreate(): SessionStore {
    this.#store ??= this.#newStore();
    return this.#store;
  }

  #newStore(): SessionStore {
    return new SessionStore(this.ctx.storage, this.#limits);
  }

  // The alarm only ever moves earlier here; when it fires it sets the next one.
  #wakeAt(deadline: number): void {
    const at = Math.ceil(deadline);
    if (this.#alarmAt !== null && this.#alarmAt <= at) return;
    this.#alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }

  // Runtime auto-responses never wake the object, but they also answer sockets that have not
  // authenticated; a heartbeat before `auth` must reach the object and close the socket (4400).
  #syncAutoResponse(): void {
    const wanted = this.#sockets.awaitingAuthCount === 0;
    if (wanted === this.#autoResponse) return;
    this.#autoResponse = wanted;
    this.ctx.setWebSocketAutoResponse(
      wanted ? new WebSocketRequestResponsePair(HEARTBEAT, HEARTBEAT_ACK) : undefined,
    );
  }

  #wakeWaiters(evicted: boolean): void {
    for (const waiter of [...this.#waiters]) waiter(evicted);
  }
}
