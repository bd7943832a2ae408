export { type BackoffConfig, backoffDelayMs, nominalBackoffMs } from '../machines/backoff.js';
export {
  type ConnectionConfig,
  DEFAULT_CONNECTION_CONFIG,
  type OutboxOverflow,
} from '../machines/connection.config.js';
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
  type InFlightCommand,
  type QueuedCommand,
  type SocketActorInput,
  type SocketCommand,
  scheduleRetryWith,
} from '../machines/connection.machine.js';
export {
  type ConnectionStatus,
  toConnectionStatus,
  toDisconnectReason,
} from '../machines/connectionStatus.js';
export { AgentGatewayClient } from './client.js';
export type {
  AgentGatewayClientEvents,
  ClientSnapshot,
  ClientStats,
  CommandDropReason,
  CommandReceipt,
  IAgentGatewayClient,
} from './client.types.js';
export { environmentActor } from './environment.actor.js';
export {
  createGatewayStore,
  type GatewayState,
  type GatewayStore,
  type RenderBatch,
} from './gatewayStore.js';
export { AgentGatewayError, type AgentGatewayErrorDetails, type AgentGatewayErrorKind } from './errors.js';
export { DEFAULT_DEDUPE_WINDOW, EventLedger } from './ledger.js';
export type { AgentGatewayClientOptions, Logger } from './options.js';
export { CloseCode, isTerminalCloseCode } from './protocol/closeCodes.js';
export { encodeClientFrame } from './protocol/encode.js';
export {
  FrameError,
  type FrameErrorKind,
  isKnownAgentEvent,
  type ParseResult,
  parseServerFrame,
  readServerFrame,
} from './protocol/parse.js';
export type * from './protocol/types.js';
export { SESSION_STATUSES, TERMINAL_SESSION_STATUSES } from './protocol/types.js';
export { buildSocketUrl } from './protocol/url.js';
export { socketActor, type DeliveredMessage, type SocketAdapterOptions } from './socket.actor.js';
export {
  ReadyState,
  type SocketEventLike,
  type WebSocketConstructor,
  type WebSocketLike,
} from './webSocket.js';

// --- Session model (SPEC §6) ---
export {
  type SessionMachine,
  type SessionMachineEvent,
  sessionMachine,
} from '../machines/session.machine.js';
export {
  answerInputRequest,
  foldAgentEvent,
  foldSessionFrame,
  initialSessionView,
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
