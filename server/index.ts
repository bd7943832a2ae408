export {
  createDemoAgent,
  type DemoAgentOptions,
  demoAnswerText,
  demoFinalAnswer,
  demoThinking,
  toTokens,
} from './demoAgent.js';
export { SLOW_READER_CODE } from './core/closes.js';
export { GATEWAY_DIALECTS, type GatewayDialect } from './core/dialect.js';
export { DEFAULT_LIMITS, type GatewayLimits } from './core/limits.js';
export type { RateLimit } from './core/rateLimit.js';
export {
  createMemoryEventLog,
  type DistributiveOmit,
  type EventLog,
  type LoggedEvent,
  type LogPage,
  type MemoryEventLogOptions,
  type Replay,
  type ReplayStart,
} from './eventLog.js';
export type { FaultOptions } from './faults.js';
export {
  createGatewayServer,
  type GatewayCloseEvent,
  type GatewayServer,
  type GatewayServerOptions,
} from './gateway.js';
export {
  type Agent,
  type AgentContext,
  type AppliedCommand,
  type CommandOutcome,
  GatewaySession,
  InterruptedError,
  type ReceivedCommand,
  type Subscriber,
} from './session.js';
export {
  createSessionToken,
  createTokenVerifier,
  MIN_SECRET_BYTES,
  type SessionTokenOptions,
  type TokenCheck,
  type TokenVerifier,
} from './tokens.js';
