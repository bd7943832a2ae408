export {
  useAgentGateway,
  type UseAgentGatewayOptions,
  type UseAgentGatewayResult,
} from './useAgentGateway.js';
export type { GatewayState, RenderBatch } from '../index.js';
