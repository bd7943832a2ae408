import type { ClientDialect } from '../dialect.js';
import { socketBase } from '../protocol/url.js';
import { createLobeHubGate } from './lobehubGate.js';
import { decodeLobeHubFrame } from './parse.js';
import { SequenceLedger } from './sequenceLedger.js';
import { foldLobeHubEvent } from './sessionFold.js';

/** LobeHub's protocol v1 on the wire only (what `AgentStreamClient` needs, without the session model). */
export const lobehubWire: ClientDialect = {
  config: {
    dialect: 'lobehub',
    initialReconnectDelayMs: 1_000,
    maxReconnectDelayMs: 30_000,
    reconnectJitter: 0,
    maxReconnectAttempts: 0,
    backoffReset: 'open',
    heartbeatIntervalMs: 30_000,
    maxMissedHeartbeats: 3,
  },
  socketUrl: (gatewayUrl, operationId) =>
    `${socketBase(gatewayUrl)}/ws?operationId=${encodeURIComponent(operationId)}`,
  decode: decodeLobeHubFrame,
  createLedger: (lastEventId, dedupeWindow) => new SequenceLedger(lastEventId, dedupeWindow),
  // The client makes its ledger with this dialect too: it is a SequenceLedger.
  createGate: (ledger, outlet, operationId) =>
    createLobeHubGate(ledger as SequenceLedger, outlet, operationId),
};

/**
 * LobeHub's protocol v1 (docs/lobehub.md), for `AgentGatewayClient`'s `dialect` option: one socket
 * per operation at `/ws?operationId=…`, LobeHub's agent events, ids as a sequence, `resume` on every
 * link, heartbeats counted as LobeHub's client counts them (more than 3 missed: dead), and its
 * backoff (1 s doubling to 30 s, no jitter, no attempt limit, starting over whenever a socket opens).
 * `useAgentGateway`, `createGatewayStore` and the AI SDK transport fold its events into the same view.
 *
 * @example
 * const client = new AgentGatewayClient({ gatewayUrl, getToken, dialect: lobehubDialect });
 * client.connect(operationId);
 */
export const lobehubDialect: ClientDialect = { ...lobehubWire, foldAgentEvent: foldLobeHubEvent };
