import type { ClientFrame, CommandFrame, SessionStatus } from '../../src/protocol/types.js';
import { type Close, Closes } from './closes.js';
import type { GatewayDialect } from './dialect.js';
import {
  AUTH_EXPIRED,
  authFailedFrame,
  authSuccessFrame,
  HEARTBEAT_ACK,
  resumeCompleteFrame,
} from './frames.js';
import type { GatewayLimits } from './limits.js';
import type { TokenCheck } from './tokenCheck.js';

/**
 * Where a socket is in the protocol (docs/protocol.md): `awaitingAuth` → (token checked) `awaitingResume` →
 * `replaying` → `live`; `auth_expired` takes an authenticated socket to `reauthenticating`, and a
 * new token back to `awaitingResume`. The original and LobeHub dialects go from `awaitingAuth`
 * straight to `live`. `closed` once the gateway closed it or the link went.
 */
export type SocketPhase =
  'awaitingAuth' | 'awaitingResume' | 'replaying' | 'live' | 'reauthenticating' | 'closed';

/** One socket's protocol state: plain data (the Durable Object keeps it in the socket's attachment). */
export interface SocketState {
  readonly phase: SocketPhase;
  /** When the client last sent a frame (ms since the epoch): the idle timeout counts from it. */
  readonly lastSeenAt: number;
  /** While `awaitingAuth` or `reauthenticating`: when the socket must have (re-)authenticated. */
  readonly authDeadline?: number;
  /** Once authenticated (reference and LobeHub dialects): when `auth_expired` is due. */
  readonly noticeAt?: number;
  /** The token's expiry, if it has one: without a `noticeAt` (the original dialect), the link ends then. */
  readonly expiresAt?: number;
  /** While `replaying`: whether the resume asked for `resume_complete`. */
  readonly wantStatus?: boolean;
  /** Frames held while re-authenticating, applied in order once a new token is accepted. */
  readonly held: number;
}

/** What the rules of one socket depend on. */
export interface SocketRules {
  readonly dialect: GatewayDialect;
  readonly limits: Pick<
    GatewayLimits,
    'authTimeoutMs' | 'idleTimeoutMs' | 'authExpiryNoticeMs' | 'maxPendingFrames'
  >;
}

/** What happens to a socket: a frame, the outcome of an effect, or the clock. */
export type SocketInput =
  | { type: 'frame'; frame: ClientFrame }
  /** The token check asked for by `verify`. `noticeAfterMs` (fault injection) forces `auth_expired` that soon. */
  | { type: 'verified'; check: TokenCheck; noticeAfterMs?: number }
  /** A `catchUp` replay reached the end of the log; the engine steps this in the same tick as its last read. */
  | { type: 'replayed'; status: SessionStatus | undefined; recovered: boolean }
  /** A deadline may have passed (`nextDeadline`). */
  | { type: 'tick' }
  /** The socket's send buffer passed its cap. */
  | { type: 'overflow' }
  /** The engine ends the link: a raw frame refused at admission (`admitFrame`), or a shutdown. */
  | { type: 'end'; close: Close }
  /** The link is gone (closed by either side). */
  | { type: 'gone' };

/** What the engine must do, in order. */
export type SocketEffect =
  | { type: 'send'; text: string }
  /** Check the token, then step `verified` (before handling the socket's next frame). */
  | { type: 'verify'; token: string }
  /** Apply a command to the session (the original dialect's have no `commandId`). */
  | { type: 'apply'; frame: CommandFrame }
  /** Keep a frame until `release`. */
  | { type: 'hold'; frame: ClientFrame }
  /** Step every held frame again, in order (before the socket's next frame). */
  | { type: 'release' }
  /**
   * Send the events after `lastEventId`. `catchUp` (reference): in pages, reading until the end of the
   * log, then step `replayed` in the same tick as the last read (nothing live slips in between).
   * `snapshot` (original, LobeHub): what is there now, in one step, beside the live events; with
   * `wantStatus` (LobeHub), followed by `resume_complete {status, gap?}`.
   */
  | { type: 'replay'; lastEventId: string; mode: 'catchUp' | 'snapshot'; wantStatus?: boolean }
  /** Start sending the session's new events to this socket. */
  | { type: 'follow' }
  /** Stop sending them. */
  | { type: 'unfollow' }
  /** Close the socket (and stop following). */
  | { type: 'close'; close: Close };

/** A step's outcome: the next state and the effects to perform. */
export interface Step {
  state: SocketState;
  effects: SocketEffect[];
}

const unchanged = (state: SocketState): Step => ({ state, effects: [] });
const closing = (state: SocketState, close: Close, before: SocketEffect[] = []): Step => ({
  state: { phase: 'closed', lastSeenAt: state.lastSeenAt, held: 0 },
  effects: [...before, { type: 'close', close }],
});

/** A socket that just opened: it must authenticate within `authTimeoutMs`. */
export function openSocket(now: number, rules: SocketRules): SocketState {
  return { phase: 'awaitingAuth', lastSeenAt: now, authDeadline: now + rules.limits.authTimeoutMs, held: 0 };
}

/** The client sent something (proof of life for the idle timeout), at `at`. */
export function heardFrom(state: SocketState, at: number): SocketState {
  return at > state.lastSeenAt && state.phase !== 'closed' ? { ...state, lastSeenAt: at } : state;
}

/** When the socket next needs a `tick`, if ever. */
export function nextDeadline(state: SocketState, rules: SocketRules): number | undefined {
  switch (state.phase) {
    case 'awaitingAuth':
    case 'reauthenticating':
      return state.authDeadline;
    case 'closed':
      return undefined;
    default: {
      const idleAt = state.lastSeenAt + rules.limits.idleTimeoutMs;
      const expiryAt = state.noticeAt ?? state.expiresAt;
      return expiryAt === undefined ? idleAt : Math.min(idleAt, expiryAt);
    }
  }
}

/** Whether a phase has authenticated (and not lost it to `auth_expired`). */
export function isAuthenticated(phase: SocketPhase): boolean {
  return phase === 'awaitingResume' || phase === 'replaying' || phase === 'live';
}

/**
 * The gateway side of docs/protocol.md for one socket, as a pure function: the state after `input` at `now`,
 * and the effects the engine performs (send, verify, apply, replay, follow, close…).
 */
export function step(state: SocketState, input: SocketInput, now: number, rules: SocketRules): Step {
  if (state.phase === 'closed') return unchanged(state);
  switch (input.type) {
    case 'frame':
      return onFrame(state, input.frame, rules);
    case 'verified':
      return onVerified(state, input, now, rules);
    case 'replayed':
      if (state.phase !== 'replaying') return unchanged(state);
      return {
        state: { ...state, phase: 'live', wantStatus: undefined },
        effects: [
          ...(state.wantStatus
            ? [
                {
                  type: 'send',
                  text: resumeCompleteFrame(input.status ?? 'running', input.recovered),
                } as const,
              ]
            : []),
          { type: 'follow' },
        ],
      };
    case 'tick':
      return onTick(state, now, rules);
    case 'overflow':
      return closing(state, Closes.slowReader);
    case 'end':
      return closing(state, input.close);
    case 'gone':
      return {
        state: { phase: 'closed', lastSeenAt: state.lastSeenAt, held: 0 },
        effects: [{ type: 'unfollow' }],
      };
  }
}

function onFrame(state: SocketState, frame: ClientFrame, rules: SocketRules): Step {
  if (state.phase === 'awaitingAuth') {
    if (frame.type !== 'auth') return closing(state, Closes.expectedAuth);
    return { state, effects: [{ type: 'verify', token: frame.token }] };
  }
  if (state.phase === 'reauthenticating') {
    if (frame.type === 'auth') return { state, effects: [{ type: 'verify', token: frame.token }] };
    if (frame.type === 'heartbeat') return { state, effects: [{ type: 'send', text: HEARTBEAT_ACK }] };
    // Held, not refused: a command in flight when the token lapsed is applied once a new one is in.
    if (state.held >= rules.limits.maxPendingFrames) return closing(state, Closes.tooManyPending);
    return { state: { ...state, held: state.held + 1 }, effects: [{ type: 'hold', frame }] };
  }
  switch (frame.type) {
    case 'auth':
      return closing(state, Closes.alreadyAuthenticated);
    case 'heartbeat':
      return { state, effects: [{ type: 'send', text: HEARTBEAT_ACK }] };
    case 'resume':
      if (rules.dialect === 'original')
        return { state, effects: [{ type: 'replay', lastEventId: frame.lastEventId, mode: 'snapshot' }] };
      if (rules.dialect === 'lobehub') {
        const wantStatus = frame.wantStatus === true;
        return {
          state,
          effects: [{ type: 'replay', lastEventId: frame.lastEventId, mode: 'snapshot', wantStatus }],
        };
      }
      // One resume per authentication: a later one would replay beside live events.
      if (state.phase !== 'awaitingResume') return unchanged(state);
      return {
        state: { ...state, phase: 'replaying', wantStatus: frame.wantStatus === true },
        effects: [{ type: 'replay', lastEventId: frame.lastEventId, mode: 'catchUp' }],
      };
    default:
      return {
        state,
        effects: [{ type: 'apply', frame: rules.dialect === 'reference' ? frame : withoutId(frame) }],
      };
  }
}

// The original's and LobeHub's frames carry no commandId: their gateways cannot deduplicate.
function withoutId(frame: CommandFrame): CommandFrame {
  if (frame.commandId === undefined) return frame;
  const { commandId: _ignored, ...original } = frame;
  return original;
}

function onVerified(
  state: SocketState,
  input: Extract<SocketInput, { type: 'verified' }>,
  now: number,
  rules: SocketRules,
): Step {
  if (state.phase !== 'awaitingAuth' && state.phase !== 'reauthenticating') return unchanged(state);
  const { check } = input;
  if (!check.ok)
    return closing(state, Closes.unauthorized, [{ type: 'send', text: authFailedFrame(check.reason) }]);
  const welcome = { type: 'send', text: authSuccessFrame(rules.dialect) } as const;
  if (rules.dialect === 'original') {
    // The original gateway streams live events at once. Its protocol has no `auth_expired`: the link
    // ends when the token does, and the client comes back with a fresh one.
    const expiry = check.expiresAt === undefined ? {} : { expiresAt: check.expiresAt };
    return {
      state: { phase: 'live', lastSeenAt: state.lastSeenAt, held: 0, ...expiry },
      effects: [welcome, { type: 'follow' }],
    };
  }
  if (rules.dialect === 'lobehub') {
    // LobeHub's streams live events at once too, and tells a token's expiry (`auth_expired`).
    const live: SocketState = {
      phase: 'live',
      lastSeenAt: state.lastSeenAt,
      held: 0,
      ...expiryOf(check.expiresAt, input.noticeAfterMs, now, rules),
    };
    return {
      state: live,
      effects:
        state.held > 0 ? [welcome, { type: 'follow' }, { type: 'release' }] : [welcome, { type: 'follow' }],
    };
  }
  const next: SocketState = {
    phase: 'awaitingResume',
    lastSeenAt: state.lastSeenAt,
    held: 0,
    ...expiryOf(check.expiresAt, input.noticeAfterMs, now, rules),
  };
  return { state: next, effects: state.held > 0 ? [welcome, { type: 'release' }] : [welcome] };
}

// `auth_expired` ahead of the expiry, so the client re-authenticates while the token still holds.
function expiryOf(
  expiresAt: number | undefined,
  noticeAfterMs: number | undefined,
  now: number,
  rules: SocketRules,
): Pick<SocketState, 'expiresAt' | 'noticeAt'> {
  const forced = noticeAfterMs === undefined ? undefined : now + noticeAfterMs;
  if (expiresAt === undefined) return forced === undefined ? {} : { noticeAt: forced };
  const lead = Math.min(rules.limits.authExpiryNoticeMs, Math.floor(Math.max(0, expiresAt - now) / 2));
  const noticeAt = Math.min(expiresAt - lead, forced ?? Number.POSITIVE_INFINITY);
  return { expiresAt, noticeAt };
}

function onTick(state: SocketState, now: number, rules: SocketRules): Step {
  if (state.phase === 'awaitingAuth' || state.phase === 'reauthenticating') {
    return state.authDeadline !== undefined && now >= state.authDeadline
      ? closing(state, Closes.authTimeout)
      : unchanged(state);
  }
  if (now >= state.lastSeenAt + rules.limits.idleTimeoutMs) return closing(state, Closes.idleTimeout);
  if (state.noticeAt === undefined) {
    const expired = state.expiresAt !== undefined && now >= state.expiresAt;
    return expired ? closing(state, Closes.tokenExpired) : unchanged(state);
  }
  if (now < state.noticeAt) return unchanged(state);
  // The grace window: the client has until the real expiry (and at least an auth timeout) to re-authenticate.
  const authDeadline = Math.max(now + rules.limits.authTimeoutMs, state.expiresAt ?? 0);
  return {
    state: {
      phase: 'reauthenticating',
      lastSeenAt: state.lastSeenAt,
      held: 0,
      authDeadline,
      expiresAt: state.expiresAt,
    },
    effects: [{ type: 'unfollow' }, { type: 'send', text: AUTH_EXPIRED }],
  };
}
