/**
 * Wire types of the agent gateway protocol (SPEC §3): JSON text frames over one WebSocket per session.
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
  type: 'text_delta';
  content: string;
}
/** Streamed reasoning ("thinking") text. */
export interface ThinkingEvent {
  type: 'thinking';
  content: string;
}
/** A tool call begins; `arguments` is the first chunk of its JSON arguments (may be empty). */
export interface ToolCallStartEvent {
  type: 'tool_call_start';
  toolCallId: string;
  name: string;
  arguments: string;
}
/** More of a tool call's JSON arguments. */
export interface ToolCallDeltaEvent {
  type: 'tool_call_delta';
  toolCallId: string;
  arguments: string;
}
/** The tool call's arguments are complete. */
export interface ToolCallEndEvent {
  type: 'tool_call_end';
  toolCallId: string;
}
/** The tool's result (any JSON value). */
export interface ToolResultEvent {
  type: 'tool_result';
  toolCallId: string;
  result: unknown;
}
/** One agent step finished. */
export interface StepCompleteEvent {
  type: 'step_complete';
  stepIndex: number;
}
/** One assistant message finished. */
export interface MessageCompleteEvent {
  type: 'message_complete';
  messageId: string;
}
/** An event kind this client does not know yet: delivered as is (forward compatibility). */
export interface UnknownAgentEvent {
  type: string;
  [field: string]: unknown;
}

/** The event kinds this version of the protocol defines. */
export type KnownAgentStreamEvent =
  | TextDeltaEvent
  | ThinkingEvent
  | ToolCallStartEvent
  | ToolCallDeltaEvent
  | ToolCallEndEvent
  | ToolResultEvent
  | StepCompleteEvent
  | MessageCompleteEvent;

/** One event of the agent's stream, carried by `agent_event`. */
export type AgentStreamEvent = KnownAgentStreamEvent | UnknownAgentEvent;

/** The tool a confirmation request is about. */
export interface ToolDescriptor {
  apiName: string;
  arguments: string;
  identifier: string;
  name: string;
}

/** `auth_success`: the socket is authenticated. */
export interface AuthSuccessMessage {
  type: 'auth_success';
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
/** `resume_complete` (extension): the replay is over; `status` is authoritative. */
export interface ResumeCompleteMessage {
  type: 'resume_complete';
  status: SessionStatus;
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
/** `resume`: sent right after every `auth_success`; `""` replays from the start. */
export interface ResumeFrame {
  type: 'resume';
  lastEventId: string;
  wantStatus?: boolean;
}
/**
 * Fields every outbound command may carry. `commandId` (extension) lets a gateway apply a command
 * re-sent after a lost link exactly once; gateways that do not know it ignore it.
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

/** A command the user issues: queued while the link is down, written once authenticated. */
export type CommandFrame = InterruptFrame | ToolConfirmationFrame | UserInputFrame;

/** Any frame the client may send. */
export type ClientFrame = AuthFrame | HeartbeatFrame | ResumeFrame | CommandFrame;
