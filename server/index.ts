export {
  createDemoAgent,
  type DemoAgentOptions,
  demoAnswerText,
  demoFinalAnswer,
  toTokens,
} from './demoAgent.js';
export { GATEWAY_DIALECTS, type GatewayDialect } from './core/dialect.js';
export { createMemoryEventLog, type DistributiveOmit, type EventLog, type Replay } from './eventLog.js';
export type { FaultOptions } from './faults.js';
export { createGatewayServer, type GatewayServer, type GatewayServerOptions } from './gateway.js';
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
export { createSessionToken, createTokenVerifier, type TokenCheck, type TokenVerifier } from './tokens.js';
