export {
  createGatewayChatTransport,
  type GatewayChatTransport,
  type GatewayChatTransportOptions,
  type StartRunRequest,
} from './chatTransport.js';
