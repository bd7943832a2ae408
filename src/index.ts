// The client, its errors, the machines and their status helpers, the store, the session view.
// Plumbing (actors, the ledger, encoders, parsers, defaults) stays internal; tests reach it by path.

export { AgentGatewayClient } from './client.js';
export { toClientSnapshot } from './clientSnapshot.js';
export type {
  AgentGatewayClientEvents,
  ClientSnapshot,
  ClientStats,
  CommandReceipt,
  IAgentGatewayClient,
} from './client.types.js';
export type { AgentGatewayClientOptions, Logger } from './options.js';
export { type ClientDialect, originalDialect } from './dialect.js';
export {
  AgentGatewayError,
  type AgentGatewayErrorDetails,
  type AgentGatewayErrorKind,
  type ClientError,
  type CommandDropReason,
  type IssuedCommand,
} from './errors.js';
export { FrameError, type FrameErrorKind, type FrameLimits, isKnownAgentEvent } from './protocol/parse.js';
export { CloseCode, isTerminalCloseCode } from './protocol/closeCodes.js';
export { TERMINAL_SESSION_STATUSES } from './protocol/types.js';
export type * from './protocol/types.js';
export type { SocketEventLike, WebSocketConstructor, WebSocketLike } from './webSocket.js';

// --- The connection machine ---
export {
  type CloseInfo,
  type CommandRefusal,
  type ConnectionContext,
  type ConnectionEmitted,
  type ConnectionEvent,
  type ConnectionInput,
  type ConnectionMachine,
  connectionMachine,
  type DisconnectReason,
  type HoldLimits,
  type QueuedCommand,
} from '../machines/connection.machine.js';
export type {
  BackoffReset,
  ConnectionConfig,
  OutboxOverflow,
  WireDialect,
} from '../machines/connection.config.js';
export {
  type ConnectionStatus,
  toConnectionStatus,
  toDisconnectReason,
} from '../machines/connectionStatus.js';

// --- The session model and the store ---
export {
  type SessionMachine,
  type SessionMachineEvent,
  sessionMachine,
} from '../machines/session.machine.js';
export {
  type AgentEventFold,
  answerInputRequest,
  createSessionFold,
  foldSessionFrame,
  initialSessionView,
  type InputQuestion,
  type PendingInput,
  type ReasoningUIPart,
  respondToToolCall,
  type SessionError,
  type SessionFrame,
  type SessionView,
  type StreamPartState,
  type TextUIPart,
  type ToolApproval,
  type ToolPartState,
  type ToolUIPart,
  type UIMessage,
  type UIPart,
} from '../machines/session.view.js';
export {
  createGatewayStore,
  type GatewayState,
  type GatewayStore,
  type RenderBatch,
} from './gatewayStore.js';
