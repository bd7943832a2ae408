// LobeHub's protocol v1, as a drop-in for its shipped client (docs/lobehub.md): `AgentStreamClient`
// and `sanitizeAgentInterventionRequestForReview` under LobeHub's names, with its type names; and
// `lobehubDialect`, to follow a LobeHub gateway with `AgentGatewayClient`, `useAgentGateway` or the
// AI SDK transport.

export { AgentStreamClient } from './AgentStreamClient.js';
export { lobehubDialect } from './dialect.js';
export { sanitizeAgentInterventionRequestForReview } from './intervention.js';
export { foldLobeHubEvent } from './sessionFold.js';
export type * from './types.js';
