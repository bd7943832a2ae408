import type { ClientFrame, CommandFrame, SessionStatus } from '../../src/protocol/types.js';
import { type Close, Closes } from '../core/closes.js';
import { admitFrame, textBytes } from '../core/inbound.js';
import type { GatewayLimits } from '../core/limits.js';
import { fullBucket, type TokenBucket } from '../core/rateLimit.js';
import {
  heardFrom,
  nextDeadline,
  openSocket,
  type SocketEffect,
  type SocketInput,
  type SocketRules,
  step,
} from '../core/socketProtocol.js';
import type { TokenCheck } from '../core/tokenCheck.js';
import type { SocketIndex, SocketRecord } from './sockets.js';

/** What the driver needs from its Durable Object. */
export interface DriverHost {
  readonly rules: SocketRules;
  readonly limits: GatewayLimits;
  readonly sockets: SocketIndex;
  verify(token: string, chatKey: string): Promise<TokenCheck>;
  /** Applies a command to the session (creating its storage on first use). */
  apply(frame: CommandFrame): void;
  /** Sends the events after `lastEventId` through `send`, in one synchronous step. */
  replay(
    lastEventId: string,
    send: (encoded: string) => void,
  ): { status: SessionStatus | undefined; recovered: boolean };
  /** An authenticated socket needs the alarm at `at` (or earlier). */
  wakeAt(at: number): void;
  /** Some socket changed phase (the heartbeat auto-response depends on it). */
  phasesChanged(): void;
}

/**
 * The Durable Object's I/O for its sockets: raw frames through `admitFrame`, then one at a time
 * through the protocol core, whose effects this performs. Deadlines of sockets that have not
 * authenticated (or are re-authenticating) are in-memory timers, which keep the object awake for
 * those few seconds instead of writing an alarm for a stranger; the alarm serves authenticated ones.
 */
export class SocketDriver {
  readonly #buckets = new Map<string, TokenBucket>();
  // Frames of one socket are handled in order, also across the await of token verification.
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #pending = new Map<string, number>();
  readonly #held = new Map<string, ClientFrame[]>();
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly host: DriverHost) {}

  /** A new socket: it must authenticate within the auth timeout. */
  accept(ws: WebSocket, chatKey: string, now: number): void {
    const record: SocketRecord = {
      sid: crypto.randomUUID(),
      chatKey,
      protocol: openSocket(now, this.host.rules),
    };
    this.host.sockets.set(ws, record);
    this.#schedule(record);
    this.host.phasesChanged();
  }

  /** A raw frame: admitted (size, rate, binary, backlog, shape) at once, then handled in the socket's order. */
  receive(ws: WebSocket, message: string | ArrayBuffer, now: number): Promise<unknown> | undefined {
    const record = this.host.sockets.get(ws);
    if (record === undefined || record.protocol.phase === 'closed') return undefined;
    const { sid } = record;
    this.host.sockets.set(ws, { ...record, protocol: heardFrom(record.protocol, now) });
    const { limits } = this.host;
    let bucket = this.#buckets.get(sid);
    if (bucket === undefined) this.#buckets.set(sid, (bucket = fullBucket(limits.rateLimit, now)));
    const text = typeof message === 'string' ? message : undefined;
    const bytes =
      text === undefined ? (message as ArrayBuffer).byteLength : textBytes(text, limits.maxFrameBytes);
    const pending = this.#pending.get(sid) ?? 0;
    const admission = admitFrame({ text, bytes }, { bucket, pending, limits, now });
    if (!admission.ok) return this.run(ws, { type: 'end', close: admission.close });
    this.#pending.set(sid, pending + 1);
    const next = (this.#queues.get(sid) ?? Promise.resolve())
      .then(() => {
        this.#pending.set(sid, (this.#pending.get(sid) ?? 1) - 1);
        return this.run(ws, { type: 'frame', frame: admission.frame });
      })
      .catch((error: unknown) => {
        console.error('[gateway] frame handling failed', error);
        return this.run(ws, { type: 'end', close: Closes.internal });
      });
    this.#queues.set(sid, next);
    return next.finally(() => {
      if (this.#queues.get(sid) === next) this.#queues.delete(sid);
    });
  }

  /** Steps one socket's protocol and performs the effects. */
  run(ws: WebSocket, input: SocketInput): Promise<unknown> | undefined {
    const record = this.host.sockets.get(ws);
    if (record === undefined) return undefined;
    const before = record.protocol.phase;
    const { state, effects } = step(record.protocol, input, Date.now(), this.host.rules);
    const next = { ...record, protocol: state };
    this.host.sockets.set(ws, next);
    this.#schedule(next);
    if (state.phase !== before) this.host.phasesChanged();
    return this.#performFrom(ws, next, effects, 0);
  }

  /** Forgets a socket that is gone. */
  forget(sid: string): void {
    this.#clearTimer(sid);
    for (const map of [this.#timers, this.#buckets, this.#pending, this.#held, this.#queues]) map.delete(sid);
  }

  /** Ends a socket (a shutdown, a restart). */
  end(ws: WebSocket, close: Close): void {
    void this.run(ws, { type: 'end', close });
  }

  #performFrom(
    ws: WebSocket,
    record: SocketRecord,
    effects: SocketEffect[],
    index: number,
  ): Promise<unknown> | undefined {
    for (let i = index; i < effects.length; i++) {
      const waiting = this.#perform(ws, record, effects[i] as SocketEffect);
      if (waiting !== undefined) return waiting.then(() => this.#performFrom(ws, record, effects, i + 1));
    }
    return undefined;
  }

  #perform(ws: WebSocket, record: SocketRecord, effect: SocketEffect): Promise<unknown> | undefined {
    switch (effect.type) {
      case 'send':
        return void send(ws, effect.text);
      case 'verify':
        return this.host
          .verify(effect.token, record.chatKey)
          .catch(() => ({ ok: false, reason: 'Token verification failed' }) as const)
          .then((check) => this.run(ws, { type: 'verified', check }));
      case 'apply':
        return void this.host.apply(effect.frame);
      case 'hold': {
        const held = this.#held.get(record.sid) ?? [];
        held.push(effect.frame);
        return void this.#held.set(record.sid, held);
      }
      case 'release': {
        const held = this.#held.get(record.sid) ?? [];
        this.#held.delete(record.sid);
        return (async () => {
          for (const frame of held) await this.run(ws, { type: 'frame', frame });
        })();
      }
      case 'replay': {
        // One synchronous step, so no append interleaves (docs/protocol.md, extension `resume_complete`); read from SQLite in pages.
        const { status, recovered } = this.host.replay(effect.lastEventId, (encoded) => send(ws, encoded));
        return effect.mode === 'catchUp' ? this.run(ws, { type: 'replayed', status, recovered }) : undefined;
      }
      case 'follow':
      case 'unfollow':
        return undefined; // an append goes to every socket whose phase is `live`
      case 'close':
        try {
          ws.close(effect.close.code, effect.close.reason);
        } catch {
          // already closing
        }
        return undefined;
    }
  }

  #clearTimer(sid: string): void {
    const timer = this.#timers.get(sid);
    if (timer !== undefined) clearTimeout(timer);
    this.#timers.delete(sid);
  }

  #schedule(record: SocketRecord): void {
    const { phase } = record.protocol;
    const deadline = nextDeadline(record.protocol, this.host.rules);
    this.#clearTimer(record.sid);
    if (deadline === undefined) return;
    if (phase === 'awaitingAuth' || phase === 'reauthenticating') {
      const timer = setTimeout(
        () => {
          for (const [ws, { sid }] of this.host.sockets.entries())
            if (sid === record.sid) void this.run(ws, { type: 'tick' });
        },
        Math.max(0, deadline - Date.now()),
      );
      this.#timers.set(record.sid, timer);
    } else {
      this.host.wakeAt(deadline);
    }
  }
}

function send(ws: WebSocket, text: string): void {
  try {
    ws.send(text);
  } catch {
    // the socket is closing; its close event cleans up
  }
}
