import { DurableObject } from 'cloudflare:workers';
import { CloseCode } from '../../src/protocol/closeCodes.js';
import { parseClientFrame } from '../../src/protocol/parseClient.js';
import type { ClientFrame, SessionEventMessage } from '../../src/protocol/types.js';
import { authSuccessFrame } from '../core/dialect.js';
import type { AppendFrame, CommandsResponse, SessionState } from './api.js';
import { handleRuntimeRequest, type RuntimeSession } from './runtimeApi.js';
import { SessionStore } from './sessionStore.js';
import { type Env, type Limits, readLimits } from './settings.js';
import { RateLimiter, SocketIndex, type SocketState } from './sockets.js';
import { verifySessionToken } from './verifyToken.js';

const HEARTBEAT = '{"type":"heartbeat"}';
const HEARTBEAT_ACK = '{"type":"heartbeat_ack"}';
const MAX_WAIT_MS = 25_000;
const encoder = new TextEncoder();

function byteLength(message: string | ArrayBuffer, max: number): number {
  if (typeof message !== 'string') return message.byteLength;
  // UTF-8 takes 1–3 bytes per UTF-16 unit: most frames are decided without encoding them.
  if (message.length * 3 <= max || message.length > max) return message.length;
  return encoder.encode(message).byteLength;
}

/**
 * One chatKey's session (SPEC §3, §8) as a Durable Object: sockets held with the WebSocket
 * Hibernation API (state in each socket's attachment), the event log, status and commands in
 * SQLite, timeouts and token expiry on the object's alarm. Between events the object can be evicted
 * while its sockets stay open; heartbeats are answered by the runtime without waking it whenever no
 * socket is still authenticating.
 */
export class SessionObject extends DurableObject<Env> implements RuntimeSession {
  readonly #instance = { id: crypto.randomUUID(), startedAt: Date.now() };
  readonly #store: SessionStore;
  readonly #limits: Limits;
  readonly #sockets: SocketIndex;
  readonly #rate: RateLimiter;
  // Frames of one socket are handled in order, also across the await of token verification.
  readonly #queues = new Map<string, Promise<void>>();
  readonly #waiters = new Set<() => void>();
  #alarmAt: number | null = null;
  #autoResponse: boolean;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#store = new SessionStore(ctx.storage);
    this.#limits = readLimits(env);
    this.#rate = new RateLimiter(this.#limits.rateLimit);
    this.#sockets = new SocketIndex(() => ctx.getWebSockets());
    this.#autoResponse = ctx.getWebSocketAutoResponse() !== null;
    void ctx.blockConcurrencyWhile(async () => {
      this.#alarmAt = await ctx.storage.getAlarm();
    });
    this.#syncAutoResponse();
  }

  /** `/ws?chatKey=` upgrades; everything else is the runtime API (already authorized by the Worker). */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/ws') return this.#accept(request, url.searchParams.get('chatKey') ?? '');
    return handleRuntimeRequest(this, request, url);
  }

  /** A client frame: size, rate, binary and shape checked at once; then handled in the socket's order. */
  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const state = this.#sockets.get(ws);
    if (state === undefined || state.phase === 'closed') return;
    const { maxFrameBytes } = this.#limits;
    if (byteLength(message, maxFrameBytes) > maxFrameBytes)
      return this.#close(ws, CloseCode.messageTooBig, 'Frame too large');
    if (!this.#rate.take(state.sid, Date.now()))
      return this.#close(ws, CloseCode.rateLimited, 'Rate limit exceeded');
    if (typeof message !== 'string')
      return this.#close(ws, CloseCode.unsupportedData, 'Binary frames are not supported');
    const result = parseClientFrame(message);
    if (!result.ok) return this.#close(ws, CloseCode.badRequest, `Malformed frame: ${result.error.kind}`);
    return this.#enqueue(ws, state.sid, () => this.#onFrame(ws, result.frame));
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

  /** Auth deadlines and token expiries of every socket share the object's one alarm. */
  override alarm(): void {
    this.#alarmAt = null;
    const now = Date.now();
    for (const [ws, state] of this.#sockets.entries()) {
      if (state.phase === 'closed' || state.deadline === undefined || state.deadline > now) continue;
      if (state.phase === 'awaitingAuth') this.#close(ws, CloseCode.authTimeout, 'Auth timeout');
      else this.#expire(ws, state, now);
    }
    this.#rescheduleAlarm();
  }

  /** Runtime API: appends events, then sends each to every live socket; refuses any after the end. */
  append(frames: readonly AppendFrame[]): SessionEventMessage[] {
    const stored = this.#store.append(frames);
    for (const { encoded } of stored) {
      for (const [ws, state] of this.#sockets.entries()) if (state.phase === 'live') this.#send(ws, encoded);
    }
    if (this.#store.ended) this.#wakeWaiters();
    return stored.map(({ event }) => event);
  }

  /** Runtime API: every stored event. */
  log(): SessionEventMessage[] {
    return this.#store.events();
  }

  /** Runtime API: commands applied after `after`, waiting up to `waitMs` (at most 25 s) for one. */
  async commands(after: number, waitMs: number): Promise<CommandsResponse> {
    let commands = this.#store.commandsAfter(after);
    if (commands.length === 0 && !this.#store.ended && waitMs > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.#waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(waitMs, MAX_WAIT_MS));
        this.#waiters.add(done);
      });
      commands = this.#store.commandsAfter(after);
    }
    return { commands, ended: this.#store.ended };
  }

  /** Runtime API: what the object holds, and which in-memory instance answered. */
  state(chatKey: string): SessionState {
    return {
      chatKey,
      status: this.#store.status ?? null,
      ended: this.#store.ended,
      eventCount: this.#store.eventCount,
      lastEventId: this.#store.lastEventId ?? null,
      lastCommandSeq: this.#store.lastCommandSeq,
      sockets: this.#sockets.openCount,
      instance: this.#instance,
    };
  }

  /** Runtime API: closes every socket with 1012; the clients reconnect and resume. Returns how many. */
  disconnect(): number {
    let closed = 0;
    for (const [ws, state] of [...this.#sockets.entries()]) {
      if (state.phase === 'closed') continue;
      this.#close(ws, 1012, 'Session restarting');
      closed++;
    }
    return closed;
  }

  #accept(request: Request, chatKey: string): Response {
    if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket')
      return new Response('Expected a WebSocket upgrade', { status: 426 });
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    this.#update(server, {
      sid: crypto.randomUUID(),
      chatKey,
      phase: 'awaitingAuth',
      deadline: Date.now() + this.#limits.authTimeoutMs,
    });
    this.#syncAutoResponse();
    return new Response(null, { status: 101, webSocket: client });
  }

  #enqueue(ws: WebSocket, sid: string, task: () => void | Promise<void>): Promise<void> {
    const next = (this.#queues.get(sid) ?? Promise.resolve()).then(task).catch((error: unknown) => {
      console.error('[gateway] frame handling failed', error);
      this.#close(ws, 1011, 'Internal error');
    });
    this.#queues.set(sid, next);
    return next.finally(() => {
      if (this.#queues.get(sid) === next) this.#queues.delete(sid);
    });
  }

  async #onFrame(ws: WebSocket, frame: ClientFrame): Promise<void> {
    const state = this.#sockets.get(ws);
    if (state === undefined || state.phase === 'closed') return;
    if (state.phase === 'awaitingAuth') {
      if (frame.type !== 'auth') return this.#close(ws, CloseCode.badRequest, 'Expected auth');
      return this.#authenticate(ws, state, frame.token);
    }
    switch (frame.type) {
      case 'auth':
        return this.#close(ws, CloseCode.badRequest, 'Already authenticated');
      case 'heartbeat':
        return this.#send(ws, HEARTBEAT_ACK);
      case 'resume':
        return this.#resume(ws, state, frame.lastEventId, frame.wantStatus === true);
      default:
        if (this.#store.applyCommand(frame, Date.now()) === 'applied') this.#wakeWaiters();
    }
  }

  async #authenticate(ws: WebSocket, state: SocketState, token: string): Promise<void> {
    const check = await verifySessionToken(this.env.GATEWAY_SECRET ?? '', token, state.chatKey).catch(
      () => ({ ok: false, reason: 'Token verification failed' }) as const,
    );
    if (this.#sockets.get(ws)?.phase !== 'awaitingAuth') return;
    if (!check.ok) {
      this.#send(ws, JSON.stringify({ type: 'auth_failed', reason: check.reason }));
      return this.#close(ws, CloseCode.unauthorized, 'Unauthorized');
    }
    this.#update(ws, { ...state, phase: 'awaitingResume', deadline: check.expiresAt });
    this.#send(ws, authSuccessFrame('reference'));
    this.#syncAutoResponse();
  }

  // Replay, resume_complete and the switch to live run in one synchronous step: no append can
  // slip in between (SPEC §3 ordering).
  #resume(ws: WebSocket, state: SocketState, lastEventId: string, wantStatus: boolean): void {
    if (state.phase !== 'awaitingResume') return;
    for (const encoded of this.#store.after(lastEventId)) this.#send(ws, encoded);
    if (wantStatus)
      this.#send(ws, JSON.stringify({ type: 'resume_complete', status: this.#store.status ?? 'running' }));
    this.#update(ws, { ...state, phase: 'live' });
  }

  // The token expired: no live events until the client re-authenticates on this socket and resumes.
  #expire(ws: WebSocket, state: SocketState, now: number): void {
    this.#update(ws, { ...state, phase: 'awaitingAuth', deadline: now + this.#limits.authTimeoutMs });
    this.#send(ws, '{"type":"auth_expired"}');
    this.#syncAutoResponse();
  }

  #close(ws: WebSocket, code: number, reason: string): void {
    const state = this.#sockets.get(ws);
    if (state !== undefined) this.#update(ws, { sid: state.sid, chatKey: state.chatKey, phase: 'closed' });
    try {
      ws.close(code, reason);
    } catch {
      // already closing
    }
    this.#syncAutoResponse();
  }

  #forget(ws: WebSocket): void {
    const state = this.#sockets.delete(ws);
    if (state === undefined) return;
    this.#rate.forget(state.sid);
    if (state.deadline !== undefined && state.deadline === this.#alarmAt) this.#rescheduleAlarm();
    this.#syncAutoResponse();
  }

  #send(ws: WebSocket, text: string): void {
    try {
      ws.send(text);
    } catch {
      // the socket is closing; its close event cleans up
    }
  }

  // Writes a socket's state and keeps the alarm at the earliest deadline of all sockets.
  #update(ws: WebSocket, next: SocketState): void {
    const previous = this.#sockets.get(ws)?.deadline;
    this.#sockets.set(ws, next);
    if (next.deadline !== undefined && (this.#alarmAt === null || next.deadline < this.#alarmAt)) {
      this.#alarmAt = next.deadline;
      void this.ctx.storage.setAlarm(next.deadline);
    }
    if (previous !== undefined && previous !== next.deadline && previous === this.#alarmAt)
      this.#rescheduleAlarm();
  }

  #rescheduleAlarm(): void {
    const next = this.#sockets.nextDeadline() ?? null;
    if (next === this.#alarmAt) return;
    this.#alarmAt = next;
    void (next === null ? this.ctx.storage.deleteAlarm() : this.ctx.storage.setAlarm(next));
  }

  // Runtime auto-responses never wake the object, but they also answer sockets that have not
  // authenticated; a heartbeat before `auth` must reach the object and close the socket (4400).
  #syncAutoResponse(): void {
    const wanted = !this.#sockets.anyAwaitingAuth();
    if (wanted === this.#autoResponse) return;
    this.#autoResponse = wanted;
    this.ctx.setWebSocketAutoResponse(
      wanted ? new WebSocketRequestResponsePair(HEARTBEAT, HEARTBEAT_ACK) : undefined,
    );
  }

  #wakeWaiters(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}
