import type { Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import type { ClientFrame, CommandFrame } from '../src/protocol/types.js';
import { type Close, Closes } from './core/closes.js';
import { HEARTBEAT_ACK, lobehubResumeCompleteFrame } from './core/frames.js';
import { admitFrame } from './core/inbound.js';
import type { GatewayLimits } from './core/limits.js';
import { fullBucket, type TokenBucket } from './core/rateLimit.js';
import {
  heardFrom,
  nextDeadline,
  openSocket,
  type SocketEffect,
  type SocketInput,
  type SocketRules,
  type SocketState,
  step,
} from './core/socketProtocol.js';
import type { TokenCheck } from './core/tokenCheck.js';
import { DeadlineTimer } from './deadlineTimer.js';
import type { FaultOptions } from './faults.js';
import { replayInPages } from './replay.js';
import type { ReplayPacer } from './replayPacer.js';
import type { GatewaySession } from './session.js';

/** A token check, and the session it opens when it passes. */
export interface Authentication {
  check: TokenCheck;
  session?: GatewaySession;
}

/** What every socket's handler shares with its gateway (made once per gateway, not per socket). */
export interface ConnectionHost {
  readonly rules: SocketRules;
  readonly limits: GatewayLimits;
  /** Gives every replay of the gateway its turns on the event loop. */
  readonly pacer: ReplayPacer;
  /** Checks a token for a chatKey and finds (or opens) the session. */
  authenticate(token: string, chatKey: string): Promise<Authentication>;
  /** Counts a socket on its session once authenticated; returns the function that uncounts it. */
  attach(chatKey: string): () => void;
  faults(): FaultOptions;
  onError(error: unknown): void;
  /** Told each time the gateway closes a socket, with the bytes it still had to send. */
  onClose(chatKey: string, close: Close, bufferedBytes: number): void;
}

const COMMANDS: ReadonlySet<string> = new Set([
  'interrupt',
  'tool_confirmation',
  'user_input',
  'tool_result',
]);
const isCommand = (frame: ClientFrame): frame is CommandFrame => COMMANDS.has(frame.type);

/**
 * The Node engine's I/O for one socket: raw frames go through `admitFrame` and then, one at a time,
 * through the protocol core (`server/core/socketProtocol.ts`), whose effects this performs — sends
 * with a capped send buffer, token checks, paged replays, the live subscription, closes that end
 * in a cut after `closeGraceMs`. A class, so ten thousand sockets share its methods.
 */
export class Connection {
  #state: SocketState;
  #closed = false;
  #session: GatewaySession | undefined;
  #detach: (() => void) | undefined;
  #unfollow: (() => void) | undefined;
  #held: ClientFrame[] = [];
  #eventsSent = 0;
  readonly #bucket: TokenBucket;
  readonly #deadline: DeadlineTimer;
  #killTimer: NodeJS.Timeout | undefined;
  // A socket's frames are handled one at a time, in order, also across a token check or a replay.
  #queue: Promise<unknown> = Promise.resolve();
  #pending = 0;

  /**
   * @param tcp the socket's TCP connection, corked while a page is written (one write, not one per frame)
   * @param releaseSlot gives back its place among the unauthenticated sockets (it authenticated, or closed)
   */
  constructor(
    private readonly ws: WebSocket,
    private readonly host: ConnectionHost,
    readonly chatKey: string,
    private readonly tcp: Writable | undefined,
    private readonly releaseSlot: () => void,
  ) {
    const now = Date.now();
    this.#state = openSocket(now, host.rules);
    this.#bucket = fullBucket(host.limits.rateLimit, now);
    this.#deadline = new DeadlineTimer(() => this.#guarded(() => this.#run({ type: 'tick' })));
    ws.on('message', (data, isBinary) => this.#receive(data as Buffer, isBinary));
    ws.on('close', () => this.#gone());
    ws.on('error', (error) => this.#broken(error));
    this.#deadline.arm(nextDeadline(this.#state, host.rules));
  }

  /** Closes the socket (a shutdown), cut after the grace period. */
  end(close: Close): void {
    this.#guarded(() => this.#run({ type: 'end', close }));
  }

  #receive(buffer: Buffer, isBinary: boolean): void {
    if (this.#closed) return;
    const now = Date.now();
    this.#state = heardFrom(this.#state, now);
    const admission = admitFrame(
      { text: isBinary ? undefined : buffer.toString(), bytes: buffer.length },
      { bucket: this.#bucket, pending: this.#pending, limits: this.host.limits, now },
    );
    if (!admission.ok) return this.#guarded(() => this.#run({ type: 'end', close: admission.close }));
    const { frame } = admission;
    if (this.#session !== undefined && isCommand(frame)) this.#session.receive(frame, now);
    this.#pending++;
    this.#queue = this.#queue
      .then(() => {
        this.#pending--;
        return this.#run({ type: 'frame', frame });
      })
      .catch((error: unknown) => this.#fail(error));
  }

  #run(input: SocketInput): Promise<unknown> | undefined {
    const { state, effects } = step(this.#state, input, Date.now(), this.host.rules);
    this.#state = state;
    this.#deadline.arm(nextDeadline(state, this.host.rules));
    return this.#performFrom(effects, 0);
  }

  #performFrom(effects: readonly SocketEffect[], index: number): Promise<unknown> | undefined {
    for (let i = index; i < effects.length; i++) {
      const effect = effects[i] as SocketEffect;
      // A close performed meanwhile (a slow reader found while sending) ends what this step had left.
      if (this.#closed && effect.type !== 'close') return undefined;
      const waiting = this.#perform(effect);
      if (waiting !== undefined) return waiting.then(() => this.#performFrom(effects, i + 1));
    }
    return undefined;
  }

  #perform(effect: SocketEffect): Promise<unknown> | undefined {
    switch (effect.type) {
      case 'send':
        return void this.#sendText(effect.text);
      case 'verify':
        return this.#verify(effect.token);
      case 'apply':
        return void this.#session?.apply(effect.frame);
      case 'hold':
        return void this.#held.push(effect.frame);
      case 'release':
        return this.#release();
      case 'replay':
        return effect.mode === 'catchUp'
          ? this.#catchUp(effect.lastEventId)
          : this.#snapshot(effect.lastEventId, effect.wantStatus === true);
      case 'follow':
        this.#unfollow?.();
        this.#unfollow = this.#session?.subscribe((_, encoded) => this.#sendEvent(encoded));
        return undefined;
      case 'unfollow':
        this.#unfollow?.();
        this.#unfollow = undefined;
        return undefined;
      case 'close':
        return void this.#closeWith(effect.close);
    }
  }

  async #verify(token: string): Promise<void> {
    let outcome: Authentication;
    try {
      outcome = await this.host.authenticate(token, this.chatKey);
    } catch (error) {
      this.host.onError(error);
      outcome = { check: { ok: false, reason: 'Token verification failed' } };
    }
    if (outcome.check.ok) this.#session ??= outcome.session;
    const noticeAfterMs = this.host.faults().expireAuthAfterMs;
    const waiting = this.#run({
      type: 'verified',
      check: outcome.check,
      ...(noticeAfterMs ? { noticeAfterMs } : {}),
    });
    if (this.#state.phase !== 'awaitingAuth') this.releaseSlot();
    if (this.#session !== undefined && this.#detach === undefined && !this.#closed)
      this.#detach = this.host.attach(this.chatKey);
    await waiting;
  }

  async #release(): Promise<void> {
    const frames = this.#held;
    this.#held = [];
    for (const frame of frames) await this.#run({ type: 'frame', frame });
  }

  #catchUp(lastEventId: string): Promise<void> | undefined {
    const session = this.#session;
    if (session === undefined) return undefined;
    return replayInPages(
      {
        log: session.log,
        lastEventId,
        pageBytes: this.host.limits.replayPageBytes,
        active: () => this.#state.phase === 'replaying',
        sendPage: (encoded, onFlushed) =>
          this.#corked(() => {
            const last = encoded.length - 1;
            encoded.forEach((text, index) => this.#sendEvent(text, index === last ? onFlushed : undefined));
          }),
        buffered: () => this.ws.bufferedAmount,
        caughtUp: (recovered) => void this.#run({ type: 'replayed', status: session.status, recovered }),
      },
      this.host.pacer,
    );
  }

  // The original and LobeHub's gateways: what the log holds now, in one step, beside the live
  // events; LobeHub's then says the session's status, and whether events were lost (`gap`).
  #snapshot(lastEventId: string, wantStatus: boolean): undefined {
    const session = this.#session;
    if (session === undefined) return undefined;
    const start = session.log.locate(lastEventId);
    const { encoded, gap } = session.log.read(start.position, Number.POSITIVE_INFINITY);
    this.#corked(() => {
      for (const text of encoded) {
        this.#sendEvent(text);
        if (this.#closed) break;
      }
      if (wantStatus && !this.#closed)
        this.#sendText(lobehubResumeCompleteFrame(session.status ?? 'running', !start.recovered || gap));
    });
    return undefined;
  }

  #corked(write: () => void): void {
    this.tcp?.cork();
    try {
      write();
    } finally {
      this.tcp?.uncork();
    }
  }

  #sendEvent(encoded: string, onFlushed?: () => void): void {
    if (this.#closed) return onFlushed?.();
    const faults = this.host.faults();
    this.#eventsSent++;
    if (faults.malformedEvery && this.#eventsSent % faults.malformedEvery === 0)
      this.#sendText('{"type":"agent_event","id":');
    this.#sendText(encoded, onFlushed);
    if (faults.dropAfterEvents && this.#eventsSent >= faults.dropAfterEvents) this.#cut();
  }

  #sendText(text: string, onFlushed?: () => void): void {
    const faults = this.host.faults();
    if (text === HEARTBEAT_ACK && faults.swallowHeartbeatAcks) return onFlushed?.();
    const delay = faults.frameDelayMs ?? 0;
    if (delay > 0) setTimeout(() => this.#write(text, onFlushed), delay);
    else this.#write(text, onFlushed);
  }

  #write(text: string, onFlushed?: () => void): void {
    const { ws } = this;
    if (ws.readyState !== ws.OPEN) return onFlushed?.();
    ws.send(text, onFlushed && (() => onFlushed()));
    // Backpressure: a reader that lets this much pile up is dropped, not buffered without end.
    if (ws.bufferedAmount > this.host.limits.maxBufferedBytes && !this.#closed)
      this.#guarded(() => this.#run({ type: 'overflow' }));
  }

  #stopAll(): void {
    this.#closed = true;
    this.#unfollow?.();
    this.#unfollow = undefined;
    this.#held = [];
    this.#deadline.clear();
  }

  #closeWith(close: Close): void {
    if (this.#closed) return;
    this.#stopAll();
    this.host.onClose(this.chatKey, close, this.ws.bufferedAmount);
    this.ws.close(close.code, close.reason);
    // A peer that broke a rule is not read any more; every closed socket is cut after the grace.
    if (close.abusive) this.ws.pause();
    this.#killTimer = setTimeout(() => this.ws.terminate(), this.host.limits.closeGraceMs);
  }

  // Fault injection: drop the link without a close frame, once what was sent is on the wire.
  #cut(): void {
    this.#guarded(() => this.#run({ type: 'gone' }));
    this.#stopAll();
    while ((this.tcp?.writableCorked ?? 0) > 0) this.tcp?.uncork();
    this.ws.terminate();
  }

  #gone(): void {
    clearTimeout(this.#killTimer);
    this.#guarded(() => this.#run({ type: 'gone' }));
    this.#stopAll();
    this.#detach?.();
    this.releaseSlot();
  }

  #broken(error: Error): void {
    this.host.onError(error);
    // `ws` closes by itself (e.g. 1009 for an oversized frame); the cut follows after the grace.
    if (this.#closed) return;
    this.#stopAll();
    this.#killTimer = setTimeout(() => this.ws.terminate(), this.host.limits.closeGraceMs);
  }

  #guarded(task: () => unknown): void {
    try {
      const result = task();
      if (result instanceof Promise) result.catch((error: unknown) => this.#fail(error));
    } catch (error) {
      this.#fail(error);
    }
  }

  #fail(error: unknown): void {
    this.host.onError(error);
    if (this.#closed) return;
    this.#guarded(() => this.#run({ type: 'end', close: Closes.internal }));
  }
}
