export {
  useAgentGateway,
  type UseAgentGatewayOptions,
  type UseAgentGatewayResult,
} from './useAgentGateway.js';
export { useGatewaySelector } from './useGatewaySelector.js';
export type { ClientSnapshot, GatewayState, RenderBatch } from '../index.js';
