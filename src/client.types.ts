import type { StateValue } from 'xstate';
import type { CloseInfo, CommandRefusal, DisconnectReason } from '../machines/connection.machine.js';
import type { ConnectionStatus } from '../machines/connectionStatus.js';
import type {
  AgentEventMessage,
  CommandFrame,
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
 * meanings (docs/protocol.md), plus extras (`session_status`, `message`, `command_*`).
 */
export interface AgentGatewayClientEvents {
  /** One agent stream event (kinds newer than this version included, as sent). */
  agent_event: (message: AgentEventMessage) => void;
  auth_failed: (reason: string) => void;
  connected: () => void;
  disconnected: () => void;
  error: (error: Error | Event) => void;
  input_request: (message: InputRequestMessage) => void;
  /** The delay before the next attempt, and the attempt's number in the current series. */
  reconnecting: (delayMs: number, attempt: number) => void;
  /** A `session_complete` frame, or a `resume_complete` whose status says the session is over. */
  session_complete: (message: SessionCompleteMessage | ResumeCompleteMessage) => void;
  /** The connection status, at every change of `connectionStatus` (as the original client). */
  status_changed: (status: ConnectionStatus) => void;
  /** A `status_change` frame: the session's status changed. */
  status_update: (message: StatusChangeMessage) => void;
  /** The session's status, from `status_change` frames and, when it tells something new, `resume_complete`. */
  session_status: (status: SessionStatus) => void;
  tool_confirmation_request: (message: ToolConfirmationRequestMessage) => void;
  /** Every new session frame, in order, including `resume_complete`: what a session model folds. */
  message: (message: SessionEventMessage | ResumeCompleteMessage) => void;
  /** A command was refused at once (no session, or outbox full). */
  command_rejected: (receipt: CommandReceipt) => void;
  /** A queued command was abandoned (session ended, or evicted by `outboxOverflow: 'dropOldest'`). */
  command_dropped: (commandId: string, command: CommandFrame, reason: CommandDropReason) => void;
  /**
   * A command was written, but its link died before the gateway confirmed it, and the gateway did not
   * announce `command_id`: re-sending it might apply it twice, so it is not re-sent. The app decides.
   */
  command_unconfirmed: (commandId: string, command: CommandFrame) => void;
}

/** The client interface integration code in the field uses (SPEC §5). */
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

/** Why a queued command was abandoned. */
export type CommandDropReason = 'outboxFull' | Exclude<DisconnectReason, 'idle'>;

/**
 * What became of a command when it was issued: `sent` (written to the authenticated socket),
 * `queued` (held until the link is authenticated), `rejected` (see `reason`), or `pending` (issued
 * from inside a client event listener: the outcome follows as `command_rejected` if it is refused).
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
  /** Reconnect attempts made in the current series. */
  attempt: number;
  /** Delay of the pending or last reconnect. */
  retryDelayMs: number;
  /** Commands waiting for an authenticated link. */
  queuedCommands: number;
  /** Commands written but not yet confirmed by a heartbeat round trip. */
  unconfirmedCommands: number;
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
