import type { ConnectionConfig } from '../machines/connection.config.js';
import type { AgentEventFold } from '../machines/session.types.js';
import { EventLedger } from './ledger.js';
import { decodeServerFrame, type FrameError, type FrameLimits } from './protocol/parse.js';
import type { ServerMessage } from './protocol/types.js';
import { buildSocketUrl } from './protocol/url.js';
import { createReplayGate, type GateOutlet, type ReplayGate } from './replayGate.js';

/**
 * How the client speaks with one kind of gateway: its URL, the frames it accepts, how it orders and
 * deduplicates ids, and the machine rules it needs. The default is {@link originalDialect}; LobeHub's
 * v1 is `lobehubDialect` from `agent-gateway-client/lobehub`, so its code is only in apps that use it.
 */
export interface ClientDialect {
  /** The machine's rules for this dialect; the app's options override them. */
  readonly config: Partial<ConnectionConfig>;
  /** The socket URL of a session (`key`: the chatKey, or LobeHub's operationId). */
  socketUrl(gatewayUrl: string, key: string): string;
  /** Validates one raw frame within `limits`: the typed message, or `undefined` after telling `refused` why not. */
  decode(raw: unknown, refused: (error: FrameError) => void, limits: FrameLimits): ServerMessage | undefined;
  /** The client's record of delivered ids, across its links. */
  createLedger(lastEventId: string, dedupeWindow: number | undefined): EventLedger;
  /** The replay gate of one link to the session `key`. */
  createGate(ledger: EventLedger, outlet: GateOutlet, key: string): ReplayGate;
  /** How the session model folds this dialect's agent events. Default the original protocol's. */
  readonly foldAgentEvent?: AgentEventFold;
}

/** The original protocol (docs/protocol.md), with the extensions a gateway announces. The default dialect. */
export const originalDialect: ClientDialect = {
  config: {},
  socketUrl: buildSocketUrl,
  decode: decodeServerFrame,
  createLedger: (lastEventId, dedupeWindow) => new EventLedger(lastEventId, dedupeWindow),
  createGate: createReplayGate,
};
