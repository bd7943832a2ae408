import type { CommandFrame } from './protocol/types.js';

/** What went wrong, for `error` listeners that branch on it. */
export type AgentGatewayErrorKind =
  /** The socket reported an error, or the token provider failed. */
  | 'link'
  /** The attempt limit was reached; the client stopped reconnecting. */
  | 'gaveUp'
  /** The gateway closed the link with a terminal code. */
  | 'closedByGateway'
  /** The gateway sent a session-level `error` event. */
  | 'session'
  /** A command was refused (no session, or the outbox is full). */
  | 'commandRejected'
  /** A queued command was abandoned because the session ended or the outbox overflowed. */
  | 'commandDropped'
  /** A written command's link died before the gateway confirmed it; it was not re-sent. */
  | 'commandUnconfirmed';

/** Extra facts an error carries, by kind. */
export interface AgentGatewayErrorDetails {
  /** Close code, for `closedByGateway`. */
  closeCode?: number;
  /** Server error code, for `session`. */
  code?: string;
  /** Event id of the server's `error` frame, for `session`. */
  eventId?: string;
  /** The command, for `commandRejected`, `commandDropped` and `commandUnconfirmed`. */
  command?: CommandFrame & { commandId: string };
  /** Why the command was refused or dropped. */
  reason?: string;
}

/** Every error the client reports through `error` listeners (malformed frames are `FrameError`s). */
export class AgentGatewayError extends Error {
  override readonly name = 'AgentGatewayError';
  constructor(
    /** What went wrong. */
    readonly kind: AgentGatewayErrorKind,
    message: string,
    /** Facts about it. */
    readonly details: AgentGatewayErrorDetails = {},
  ) {
    super(message);
  }
}
