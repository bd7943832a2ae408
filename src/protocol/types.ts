/**
 * Wire types of the agent gateway protocol (docs/protocol.md): JSON text frames over one WebSocket per session.
 * Names on the wire stay as they are (`auth_success`); the socket adapter translates them into
 * machine events.
 */

/** Session status carried by `status_change` and `resume_complete`. */
export type SessionStatus =
  'running' | 'waiting_confirmation' | 'waiting_input' | 'completed' | 'error' | 'interrupted';

/** Every session status, in the order the protocol lists them. */
export const SESSION_STATUSES: readonly SessionStatus[] = [
  'running',
  'waiting_confirmation',
  'waiting_input',
  'completed',
  'error',
  'interrupted',
];

/** Statuses after which the agent does no more work: a resume that reports one ends the session. */
export const TERMINAL_SESSION_STATUSES: readonly SessionStatus[] = ['completed', 'error', 'interrupted'];

/** Streamed text of the agent's answer. */
export interface TextDeltaEvent {
  kind: 'text_delta';
  content: string;
}
/** Streamed reasoning ("thinking") text. */
export interface ThinkingEvent {
  kind: 'thinking';
  content: string;
}
/** A tool call begins; `arguments` is the first chunk of its JSON arguments (may be empty). */
export interface ToolCallStartEvent {
  kind: 'tool_call_start';
  toolCallId: string;
  name: string;
  arguments: string;
}
/** More of a tool call's JSON arguments. */
export interface ToolCallDeltaEvent {
  kind: 'tool_call_delta';
  toolCallId: string;
  arguments: string;
}
/** The tool call's arguments are complete. */
export interface ToolCallEndEvent {
  kind: 'tool_call_end';
  toolCallId: string;
}
/**
 * The tool's result, as a string. The session model reads a JSON object with an `error` string as a
 * failed call and `{"denied":true}` as a rejected one; any other string is the tool's output.
 */
export interface ToolResultEvent {
  kind: 'tool_result';
  toolCallId: string;
  result: string;
}
/** One agent step finished. */
export interface StepCompleteEvent {
  kind: 'step_complete';
  stepIndex: number;
}
/** One assistant message finished. */
export interface MessageCompleteEvent {
  kind: 'message_complete';
  messageId: string;
}

/**
 * One event of the agent's stream, carried by `agent_event`, discriminated by `kind` exactly as the
 * original gateway sends it. Kinds newer than this version are delivered too, as sent (forward
 * compatibility): a `switch (event.kind)` keeps a `default` branch, or tests {@link isKnownAgentEvent}.
 */
export type AgentStreamEvent =
  | TextDeltaEvent
  | ThinkingEvent
  | ToolCallStartEvent
  | ToolCallDeltaEvent
  | ToolCallEndEvent
  | ToolResultEvent
  | StepCompleteEvent
  | MessageCompleteEvent;

/** An event of a kind this version does not define, as a producer may still send it. */
export interface UnknownAgentStreamEvent {
  kind: string;
  [field: string]: unknown;
}

/** The `kind`s this version of the protocol defines. */
export type AgentStreamEventKind = AgentStreamEvent['kind'];

/** The tool a confirmation request is about. */
export interface ToolDescriptor {
  apiName: string;
  arguments: string;
  identifier: string;
  name: string;
}

/**
 * A protocol extension a gateway may announce in `auth_success` (docs/protocol.md):
 * - `command_id`: commands carry a `commandId`, and the gateway applies a repeated one only once;
 * - `resume_complete`: no live event reaches a socket before its `resume` is handled, and the replay
 *   ends with `resume_complete {status}` when `resume` asked for it (`wantStatus`);
 * - `auth_expired`: the gateway announces token expiry with `auth_expired` and accepts a new `auth`
 *   on the same socket.
 */
export type GatewayCapability = 'command_id' | 'resume_complete' | 'auth_expired';

/** Every capability this client understands. */
export const GATEWAY_CAPABILITIES: readonly GatewayCapability[] = [
  'command_id',
  'resume_complete',
  'auth_expired',
];

/**
 * `auth_success`: the socket is authenticated. The original gateway sends it bare; a gateway with
 * extensions lists them in `capabilities` (values this client does not know are ignored).
 */
export interface AuthSuccessMessage {
  type: 'auth_success';
  capabilities?: string[];
}
/** `auth_failed`: terminal; bad or unknown credentials or session. */
export interface AuthFailedMessage {
  type: 'auth_failed';
  reason: string;
}
/** `auth_expired` (extension): the token expired; re-send `auth` on the same socket. */
export interface AuthExpiredMessage {
  type: 'auth_expired';
}
/** `heartbeat_ack`: reply to `heartbeat`. */
export interface HeartbeatAckMessage {
  type: 'heartbeat_ack';
}
/** `agent_event`: one event of the agent's stream. */
export interface AgentEventMessage {
  type: 'agent_event';
  id: string;
  event: AgentStreamEvent;
}
/** `status_change`: the session's status changed. */
export interface StatusChangeMessage {
  type: 'status_change';
  id: string;
  status: SessionStatus;
}
/** `tool_confirmation_request`: a human must approve or reject a tool call. */
export interface ToolConfirmationRequestMessage {
  type: 'tool_confirmation_request';
  id: string;
  toolCallId: string;
  tool: ToolDescriptor;
}
/** `input_request`: the agent asks the user for input. */
export interface InputRequestMessage {
  type: 'input_request';
  id: string;
  requestId: string;
  prompt: string;
}
/** `session_complete`: terminal; the session is over. */
export interface SessionCompleteMessage {
  type: 'session_complete';
  id: string;
  summary?: string;
}
/** `error`: a session-level error event. */
export interface ErrorMessage {
  type: 'error';
  id: string;
  code: string;
  message: string;
}
/**
 * `resume_complete` (extension): the replay is over; `status` is authoritative. `recovered: false`
 * says the replay is not the whole story: events after the resume point are no longer kept (or the
 * id was unknown), so what came before them must not be glued to it. Absent means `true`.
 */
export interface ResumeCompleteMessage {
  type: 'resume_complete';
  status: SessionStatus;
  recovered?: boolean;
  /** LobeHub's name for `recovered: false`: the cursor is older than what the gateway still keeps. */
  gap?: boolean;
}

/** Server frames that carry an event id: they advance `lastEventId` and are deduplicated. */
export type SessionEventMessage =
  | AgentEventMessage
  | StatusChangeMessage
  | ToolConfirmationRequestMessage
  | InputRequestMessage
  | SessionCompleteMessage
  | ErrorMessage;

/** Server frames about the link itself (no id). */
export type LinkMessage =
  AuthSuccessMessage | AuthFailedMessage | AuthExpiredMessage | HeartbeatAckMessage | ResumeCompleteMessage;

/** Any frame the server may send. */
export type ServerMessage = SessionEventMessage | LinkMessage;

/** Wire type names of server frames. */
export type ServerMessageType = ServerMessage['type'];

/** `auth`: first frame after open, and again after `auth_expired`. */
export interface AuthFrame {
  type: 'auth';
  token: string;
}
/** `heartbeat`: sent every heartbeat interval while authenticated. */
export interface HeartbeatFrame {
  type: 'heartbeat';
}
/**
 * `resume`: sent right after every `auth_success`; `""` replays from the start. `wantStatus` asks for
 * `resume_complete` (upstream's later gateways and ours answer it; the original ignores it).
 */
export interface ResumeFrame {
  type: 'resume';
  lastEventId: string;
  wantStatus?: boolean;
}
/**
 * Fields every outbound command may carry. `commandId` (the `command_id` extension) lets a gateway
 * apply a command re-sent after a lost link exactly once; it is written only to a gateway that
 * announced `command_id`.
 */
interface CommandFields {
  commandId?: string;
}
/** `interrupt`: the user stops the agent. */
export interface InterruptFrame extends CommandFields {
  type: 'interrupt';
}
/** `tool_confirmation`: the user approves or rejects a tool call. */
export interface ToolConfirmationFrame extends CommandFields {
  type: 'tool_confirmation';
  toolCallId: string;
  approved: boolean;
}
/** `user_input`: the user answers an input request. */
export interface UserInputFrame extends CommandFields {
  type: 'user_input';
  requestId: string;
  content: string;
}

/**
 * `tool_result` (LobeHub's gateways): the result of a tool the gateway asked the client to run
 * (`tool_execute`), correlated by `toolCallId`.
 */
export interface ToolResultFrame extends CommandFields {
  type: 'tool_result';
  toolCallId: string;
  /** The tool's output; `null` when it produced none (e.g. it failed). */
  content: string | null;
  success: boolean;
  error?: { message: string; type?: string };
  /** Tool state the gateway keeps with the result, as the app gives it. */
  state?: unknown;
  /** Opaque data the gateway relays to its backend, as the app gives it. */
  workRegistration?: unknown;
}

/** A command the user issues: queued while the link is down, written once authenticated. */
export type CommandFrame = InterruptFrame | ToolConfirmationFrame | UserInputFrame | ToolResultFrame;

/** Any frame the client may send. */
export type ClientFrame = AuthFrame | HeartbeatFrame | ResumeFrame | CommandFrame;
