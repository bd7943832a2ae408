import type { StateValue } from 'xstate';
import type { CloseInfo, CommandRefusal, DisconnectReason } from '../machines/connection.machine.js';
import type { ConnectionStatus } from '../machines/connectionStatus.js';
import type { ClientError } from './errors.js';
import type {
  AgentEventMessage,
  InputRequestMessage,
  ResumeCompleteMessage,
  SessionCompleteMessage,
  SessionEventMessage,
  SessionStatus,
  StatusChangeMessage,
  ToolConfirmationRequestMessage,
} from './protocol/types.js';

/**
 * Events of the client and their listeners' signatures: the original client's names, payloads and
 * meanings (docs/protocol.md), plus extras (`session_status`, `message`).
 */
export interface AgentGatewayClientEvents {
  /** One agent stream event (kinds newer than this version included, as sent). */
  agent_event: (message: AgentEventMessage) => void;
  auth_failed: (reason: string) => void;
  /**
   * The token expired and the client does not re-authenticate by itself (`reauthOnExpiry: false`, as
   * LobeHub's client): call `updateToken`, then `reconnect`.
   */
  auth_expired: () => void;
  connected: () => void;
  disconnected: () => void;
  /**
   * What went wrong: an `AgentGatewayError` (narrow it by `kind`) or a `FrameError`. A listener
   * written for the original's `Error | Event` still fits.
   */
  error: (error: ClientError) => void;
  input_request: (message: InputRequestMessage) => void;
  /** The delay before the next attempt, and the attempt's number in the current series. */
  reconnecting: (delayMs: number, attempt: number) => void;
  /**
   * A `session_complete` frame. A session a terminal `resume_complete` (or, with LobeHub's gateways,
   * the operation's own end event) ends is told with the same payload type:
   * `{ type: 'session_complete', id }`, `id` the last event delivered, no summary.
   */
  session_complete: (message: SessionCompleteMessage) => void;
  /** The connection status, at every change of `connectionStatus` (as the original client). */
  status_changed: (status: ConnectionStatus) => void;
  /** A `status_change` frame: the session's status changed. */
  status_update: (message: StatusChangeMessage) => void;
  /** The session's status, from `status_change` frames and, when it tells something new, `resume_complete`. */
  session_status: (status: SessionStatus) => void;
  tool_confirmation_request: (message: ToolConfirmationRequestMessage) => void;
  /** Every new session frame, in order, including `resume_complete`: what a session model folds. */
  message: (message: SessionEventMessage | ResumeCompleteMessage) => void;
  /**
   * The gateway could not replay from where the client stopped (`recovered: false`): the frames it
   * replayed (everything it still has, duplicates of delivered ones included, in its order) and the
   * session status, to rebuild a session model from; `undefined` frames when the replay was longer
   * than `dedupeWindow`. Also reported as an `error` of kind `historyLost`.
   */
  history_lost: (replayed: readonly SessionEventMessage[] | undefined, status: SessionStatus) => void;
}

/** The client interface integration code in the field uses (docs/protocol.md "Client events"). */
export interface IAgentGatewayClient {
  connect(chatKey: string): void;
  readonly connectionStatus: ConnectionStatus;
  disconnect(): void;
  on<K extends keyof AgentGatewayClientEvents>(event: K, listener: AgentGatewayClientEvents[K]): void;
  off<K extends keyof AgentGatewayClientEvents>(event: K, listener: AgentGatewayClientEvents[K]): void;
  sendInterrupt(): void;
  sendToolConfirmation(toolCallId: string, approved: boolean): void;
  sendUserInput(requestId: string, content: string): void;
  updateToken(token: string): void;
}

/**
 * What became of a command when it was issued, read from the machine's state after the call: `sent`
 * (written to the authenticated socket), `queued` (held until the link is authenticated), `rejected`
 * (see `reason`), or `pending` (issued while the machine was busy, e.g. from a client listener: a
 * refusal then comes as an `error` of kind `commandRejected`). Later outcomes (dropped, unconfirmed)
 * come as `error`s too; each outcome is told once.
 */
export interface CommandReceipt {
  commandId: string;
  status: 'sent' | 'queued' | 'rejected' | 'pending';
  reason?: CommandRefusal;
}

/** An immutable view of the connection for UI frameworks (`getSnapshot` / `subscribe`). */
export interface ClientSnapshot {
  /** The public status, derived from the machine state. */
  status: ConnectionStatus;
  /** The machine's full state value (e.g. `{ link: { connected: {...} } }`). */
  state: StateValue;
  /** Why the client is disconnected; `undefined` while a session is active. */
  disconnectReason: DisconnectReason | undefined;
  /** The session's chatKey; `""` before the first connect. */
  chatKey: string;
  /** Counts conversations: it grows when a connect to another chatKey starts a new one. */
  conversation: number;
  /** Reconnect attempts made in the current series. */
  attempt: number;
  /** Delay of the pending or last reconnect. */
  retryDelayMs: number;
  /** Commands waiting for an authenticated link. */
  queuedCommands: number;
  /** Commands written but not yet confirmed by a heartbeat round trip. */
  unconfirmedCommands: number;
  /** What the gateway of the current link announced in `auth_success` (`[]`: the original dialect). */
  capabilities: readonly string[];
  /** The last close received from the gateway. */
  lastClose: CloseInfo | undefined;
  /** The reason of the last `auth_failed`. */
  authFailure: string | undefined;
}

/** Counters of frames the client refused. */
export interface ClientStats {
  malformedFrames: number;
  duplicateFrames: number;
}
