/**
 * The agent runtime API of the Cloudflare gateway (types only, shared by the Worker and its Node
 * clients). Every route is under `/sessions/:chatKey` and needs `Authorization: Bearer <RUNTIME_API_KEY>`.
 */
import type { CommandFrame, SessionEventMessage, SessionStatus } from '../../src/protocol/types.js';

/** `Omit` applied to each member of a union. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A session event as the runtime appends it: the gateway assigns the `id`. */
export type AppendFrame = DistributiveOmit<SessionEventMessage, 'id'>;

/** A command a client sent that changed the session, in the order the gateway applied them. */
export interface RecordedCommand {
  /** Position in the session's command sequence (1, 2, …): pass the last one seen as `after`. */
  seq: number;
  /** The frame as the client sent it (with its `commandId`, if any). */
  frame: CommandFrame;
}

/** `POST /sessions/:chatKey/events` (body: one frame or an array) and `GET …/log`: stored events, with ids. */
export interface EventsResponse {
  events: SessionEventMessage[];
}

/** `GET /sessions/:chatKey/commands?after=N&waitMs=M`: commands applied after `N` (long-polls up to `M` ms). */
export interface CommandsResponse {
  commands: RecordedCommand[];
  /** The session has ended (`session_complete` was appended, or it was evicted): no command will be applied any more. */
  ended: boolean;
  /** The session was evicted (no socket and no event for `SESSION_TTL_MS`) and its storage deleted: stop its agent. */
  evicted?: boolean;
}

/** `POST /sessions/:chatKey/disconnect`: how many sockets were closed (1012, the clients reconnect). */
export interface DisconnectResponse {
  closed: number;
}

/** `GET /sessions/:chatKey`: what the session's Durable Object holds. */
export interface SessionState {
  chatKey: string;
  /** Last status appended, `null` before the first `status_change`. */
  status: SessionStatus | null;
  ended: boolean;
  eventCount: number;
  /** Id of the last event, `null` before the first. */
  lastEventId: string | null;
  /** Seq of the last applied command (`0`: none): where a new runtime starts reading commands. */
  lastCommandSeq: number;
  /** Open sockets (authenticated or not). */
  sockets: number;
  /** Whether the object has created its storage (only once a socket authenticated, or the runtime wrote). */
  stored: boolean;
  /** When the object's alarm is set for (ms since the epoch), `null` when none: none before a socket authenticates. */
  alarmAt: number | null;
  /** The object's current in-memory instance: a new id means it was evicted (hibernated) and woken again. */
  instance: { id: string; startedAt: number };
}
