import type { Writable } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import type { ClientFrame, CommandFrame } from '../src/protocol/types.js';
import { type Close, Closes } from './core/closes.js';
import { HEARTBEAT_ACK } from './core/frames.js';
import { admitFrame } from './core/inbound.js';
import type { GatewayLimits } from './core/limits.js';
import { fullBucket } from './core/rateLimit.js';
import {
  heardFrom,
  nextDeadline,
  openSocket,
  type SocketEffect,
  type SocketInput,
  type SocketRules,
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

/** What one socket's handler needs from the gateway. */
export interface ConnectionSettings {
  chatKey: string;
  rules: SocketRules;
  limits: GatewayLimits;
  /** Checks a token for this chatKey and finds (or opens) the session. */
  authenticate: (token: string) => Promise<Authentication>;
  /** Counts the socket on its session once authenticated; returns the function that uncounts it. */
  attach: () => () => void;
  /** Gives back the socket's place among the unauthenticated ones (it authenticated, or closed). */
  releaseSlot: () => void;
  /** Gives every replay of the gateway its turns on the event loop. */
  pacer: ReplayPacer;
  /** The socket's TCP connection, corked while a page is written (one write instead of one per frame). */
  tcp?: Writable;
  faults: () => FaultOptions;
  onError: (error: unknown) => void;
  /** Told each time the gateway closes this socket, with the bytes it still had to send. */
  onClose?: (close: Close, bufferedBytes: number) => void;
}

/** A socket's handler, as the gateway sees it. */
export interface Connection {
  /** Closes the socket (and cuts it after the grace period). */
  end(close: Close): void;
}

const COMMANDS: ReadonlySet<string> = new Set(['interrupt', 'tool_confirmation', 'user_input']);
const isCommand = (frame: ClientFrame): frame is CommandFrame => COMMANDS.has(frame.type);

/**
 * The Node engine's I/O for one socket: raw frames go through `admitFrame` and then, one at a time,
 * through the protocol core (`server/core/socketProtocol.ts`), whose effects this performs — sends
 * with a capped send buffer, token checks, paged replays, the live subscription, closes that end
 * in a cut after `closeGraceMs`.
 */
export function handleConnection(ws: WebSocket, settings: ConnectionSettings): Connection {
  const { rules, limits } = settings;
  let state = openSocket(Date.now(), rules);
  let closed = false;
  let session: GatewaySession | undefined;
  let detach: (() => void) | undefined;
  let unfollow: (() => void) | undefined;
  let held: ClientFrame[] = [];
  let eventsSent = 0;
  const bucket = fullBucket(limits.rateLimit, Date.now());
  const deadline = new DeadlineTimer(() => guarded(() => run({ type: 'tick' })));
  let killTimer: NodeJS.Timeout | undefined;
  // A socket's frames are handled one at a time, in order, also across a token check or a replay.
  let queue: Promise<unknown> = Promise.resolve();
  let pending = 0;

  const run = (input: SocketInput): Promise<unknown> | undefined => {
    const result = step(state, input, Date.now(), rules);
    state = result.state;
    deadline.arm(nextDeadline(state, rules));
    return performFrom(result.effects, 0);
  };

  const performFrom = (effects: readonly SocketEffect[], index: number): Promise<unknown> | undefined => {
    for (let i = index; i < effects.length; i++) {
      // A close performed meanwhile (a slow reader found while sending) ends what this step had left.
      const effect = effects[i] as SocketEffect;
      if (closed && effect.type !== 'close') return undefined;
      const waiting = perform(effect);
      if (waiting !== undefined) return waiting.then(() => performFrom(effects, i + 1));
    }
    return undefined;
  };

  const perform = (effect: SocketEffect): Promise<unknown> | undefined => {
    switch (effect.type) {
      case 'send':
        return void sendText(effect.text);
      case 'verify':
        return verify(effect.token);
      case 'apply':
        return void session?.apply(effect.frame);
      case 'hold':
        return void held.push(effect.frame);
      case 'release': {
        const frames = held;
        held = [];
        return (async () => {
          for (const frame of frames) await run({ type: 'frame', frame });
        })();
      }
      case 'replay':
        return effect.mode === 'catchUp' ? catchUp(effect.lastEventId) : snapshot(effect.lastEventId);
      case 'follow':
        unfollow?.();
        unfollow = session?.subscribe((_, encoded) => sendEvent(encoded));
        return undefined;
      case 'unfollow':
        unfollow?.();
        unfollow = undefined;
        return undefined;
      case 'close':
        return void closeWith(effect.close);
    }
  };

  const verify = async (token: string) => {
    let outcome: Authentication;
    try {
      outcome = await settings.authenticate(token);
    } catch (error) {
      settings.onError(error);
      outcome = { check: { ok: false, reason: 'Token verification failed' } };
    }
    if (outcome.check.ok) session ??= outcome.session;
    const noticeAfterMs = settings.faults().expireAuthAfterMs;
    const waiting = run({
      type: 'verified',
      check: outcome.check,
      ...(noticeAfterMs ? { noticeAfterMs } : {}),
    });
    if (state.phase !== 'awaitingAuth') settings.releaseSlot();
    if (session !== undefined && detach === undefined && !closed) detach = settings.attach();
    await waiting;
  };

  const catchUp = (lastEventId: string) => {
    const current = session;
    if (current === undefined) return undefined;
    return replayInPages(
      {
        log: current.log,
        lastEventId,
        pageBytes: limits.replayPageBytes,
        active: () => state.phase === 'replaying',
        sendPage: (encoded, onFlushed) =>
          corked(() =>
            encoded.forEach((text, index) =>
              sendEvent(text, index === encoded.length - 1 ? onFlushed : undefined),
            ),
          ),
        buffered: () => ws.bufferedAmount,
        caughtUp: (recovered) => void run({ type: 'replayed', status: current.status, recovered }),
      },
      settings.pacer,
    );
  };

  const corked = (write: () => void) => {
    settings.tcp?.cork();
    try {
      write();
    } finally {
      settings.tcp?.uncork();
    }
  };

  // The original gateway: what the log holds now, in one step, beside the live events.
  const snapshot = (lastEventId: string) => {
    const log = session?.log;
    if (log === undefined) return undefined;
    const { encoded } = log.read(log.locate(lastEventId).position, Number.POSITIVE_INFINITY);
    corked(() => {
      for (const text of encoded) {
        sendEvent(text);
        if (closed) break;
      }
    });
    return undefined;
  };

  const sendEvent = (encoded: string, onFlushed?: () => void) => {
    if (closed) return onFlushed?.();
    const faults = settings.faults();
    eventsSent++;
    if (faults.malformedEvery && eventsSent % faults.malformedEvery === 0)
      sendText('{"type":"agent_event","id":');
    sendText(encoded, onFlushed);
    if (faults.dropAfterEvents && eventsSent >= faults.dropAfterEvents) cut();
  };

  const sendText = (text: string, onFlushed?: () => void) => {
    const faults = settings.faults();
    if (text === HEARTBEAT_ACK && faults.swallowHeartbeatAcks) return onFlushed?.();
    const delay = faults.frameDelayMs ?? 0;
    if (delay > 0) setTimeout(() => write(text, onFlushed), delay);
    else write(text, onFlushed);
  };

  const write = (text: string, onFlushed?: () => void) => {
    if (ws.readyState !== ws.OPEN) return onFlushed?.();
    ws.send(text, onFlushed && (() => onFlushed()));
    // Backpressure: a reader that lets this much pile up is dropped, not buffered without end.
    if (ws.bufferedAmount > limits.maxBufferedBytes && !closed) guarded(() => run({ type: 'overflow' }));
  };

  const stopAll = () => {
    closed = true;
    unfollow?.();
    unfollow = undefined;
    held = [];
    deadline.clear();
  };

  const closeWith = (close: Close) => {
    if (closed) return;
    stopAll();
    settings.onClose?.(close, ws.bufferedAmount);
    ws.close(close.code, close.reason);
    // A peer that broke a rule is not read any more; every closed socket is cut after the grace.
    if (close.abusive) ws.pause();
    killTimer = setTimeout(() => ws.terminate(), limits.closeGraceMs);
  };

  // Fault injection: drop the link without a close frame, once what was sent is on the wire.
  const cut = () => {
    guarded(() => run({ type: 'gone' }));
    stopAll();
    while ((settings.tcp?.writableCorked ?? 0) > 0) settings.tcp?.uncork();
    ws.terminate();
  };

  const guarded = (task: () => unknown) => {
    try {
      const result = task();
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  };
  const fail = (error: unknown) => {
    settings.onError(error);
    guarded(() => run({ type: 'end', close: Closes.internal }));
  };

  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (closed) return;
    const now = Date.now();
    const buffer = data as Buffer;
    state = heardFrom(state, now);
    const admission = admitFrame(
      { text: isBinary ? undefined : buffer.toString(), bytes: buffer.length },
      { bucket, pending, limits, now },
    );
    if (!admission.ok) return guarded(() => run({ type: 'end', close: admission.close }));
    const { frame } = admission;
    if (session !== undefined && isCommand(frame)) session.receive(frame, now);
    pending++;
    queue = queue.then(() => {
      pending--;
      return run({ type: 'frame', frame });
    });
    queue = queue.catch(fail);
  });
  ws.on('close', () => {
    clearTimeout(killTimer);
    guarded(() => run({ type: 'gone' }));
    stopAll();
    detach?.();
    settings.releaseSlot();
  });
  ws.on('error', (error) => {
    settings.onError(error);
    // `ws` closes by itself (e.g. 1009 for an oversized frame); the cut follows after the grace.
    if (closed) return;
    stopAll();
    killTimer = setTimeout(() => ws.terminate(), limits.closeGraceMs);
  });
  deadline.arm(nextDeadline(state, rules));

  return { end: (close) => guarded(() => run({ type: 'end', close })) };
}
