import type { CommandRefusal, DisconnectReason } from '../machines/connection.machine.js';
import type { FrameError } from './protocol/parse.js';
import type { CommandFrame, SessionStatus } from './protocol/types.js';

/** A command as the client issued it: its frame and the id the client gave it. */
export type IssuedCommand = CommandFrame & { commandId: string };

/** Why a queued command was abandoned without being written. */
export type CommandDropReason = 'outboxFull' | Exclude<DisconnectReason, 'idle'>;

/** What went wrong, tagged by `kind`, with the facts of that kind. */
export type AgentGatewayErrorDetails =
  /** The socket reported an error, the token provider failed, or an actor of the client crashed. */
  | { kind: 'link' }
  /** The attempt limit was reached; the client stopped reconnecting. */
  | { kind: 'gaveUp'; attempts: number }
  /** The gateway closed the link with a terminal code. */
  | { kind: 'closedByGateway'; closeCode: number; closeReason: string }
  /** The WebSocket upgrade was refused with an HTTP status a retry would meet again (400, 401, 403, 404, 410): a wrong URL or credentials. */
  | { kind: 'refused'; status: number }
  /** The gateway sent a session-level `error` frame. */
  | { kind: 'session'; code: string; eventId: string }
  /** A command issued from inside a client listener was refused (no session, or the outbox is full). */
  | { kind: 'commandRejected'; command: IssuedCommand; reason: CommandRefusal }
  /** A queued command was abandoned: the session ended, or `outboxOverflow: 'dropOldest'` evicted it. */
  | { kind: 'commandDropped'; command: IssuedCommand; reason: CommandDropReason }
  /** A written command's link died before the gateway confirmed it, and it cannot be re-sent safely. */
  | { kind: 'commandUnconfirmed'; command: IssuedCommand; reason: 'unconfirmed' }
  /**
   * The gateway could not replay from where the client stopped (`resume_complete` said
   * `recovered: false`): events in between are gone; the session model rebuilds from the replay.
   */
  | { kind: 'historyLost'; status: SessionStatus };

/** The kinds of {@link AgentGatewayError}. */
export type AgentGatewayErrorKind = AgentGatewayErrorDetails['kind'];

/**
 * An error the client reports through `error` listeners; `kind` (and `details.kind`) tell which, and
 * narrow `details`. Malformed frames are reported as `FrameError`s instead.
 */
export class AgentGatewayError<
  Details extends AgentGatewayErrorDetails = AgentGatewayErrorDetails,
> extends Error {
  override readonly name = 'AgentGatewayError';
  /** What went wrong (the same as `details.kind`). */
  readonly kind: Details['kind'];

  constructor(
    message: string,
    /** The facts of this kind of error. */
    readonly details: Details,
  ) {
    super(message);
    this.kind = details.kind;
  }
}

/**
 * Everything an `error` listener receives: one {@link AgentGatewayError} per kind, or a `FrameError`.
 * Their kinds differ, so `error.kind === 'session'` narrows `error.details`.
 */
export type ClientError =
  | {
      [K in AgentGatewayErrorKind]: AgentGatewayError<Extract<AgentGatewayErrorDetails, { kind: K }>>;
    }[AgentGatewayErrorKind]
  | FrameError;
