import type { ClientDialect } from './dialect.js';
import type { EventLedger } from './ledger.js';
import type { FrameError, FrameLimits } from './protocol/parse.js';
import type { AgentEventMessage, SessionEventMessage } from './protocol/types.js';
import type { WebSocketConstructor } from './webSocket.js';

/** Session frames the adapter hands to the client directly (they change no link decision), agent events aside. */
export type DeliveredMessage = Exclude<SessionEventMessage, { type: 'session_complete' | 'agent_event' }>;

/** What a client gives the actors of its machine: the socket adapter and the environment watcher. */
export interface ClientDependencies {
  gatewayUrl: string;
  /** The gateway's dialect: URL, frame validation, ids and replays. */
  dialect: ClientDialect;
  /** How large and deep a frame may be. */
  frameLimits: FrameLimits;
  WebSocket: WebSocketConstructor;
  /** Called each time `auth` is written; may be async. */
  getToken: () => string | Promise<string>;
  /** Resume point and duplicate filter, shared by every socket of the client. */
  ledger: EventLedger;
  /** Receives each new (not duplicate) session frame other than `session_complete` and `agent_event`. */
  deliver: (message: DeliveredMessage) => void;
  /** Receives each new (not duplicate) `agent_event`: the hot path, straight to its listeners. */
  deliverAgentEvent: (message: AgentEventMessage) => void;
  /** Receives each frame that is not a valid server message. */
  reportFrameError: (error: FrameError) => void;
  /** Whether to report the browser coming online and the page becoming visible. */
  watchEnvironment: boolean;
  /** Runs deliveries the machine asked for (held frames released) as part of its step. */
  duringMachineStep: (run: () => void) => void;
}

// Per-client dependencies stay out of the machine's context (and so out of snapshots and the
// inspector), the way XState keeps per-actor runtime state in a WeakMap: keyed by the actor system
// every actor of one client shares. One machine definition then serves every client.
const byActorSystem = new WeakMap<object, ClientDependencies>();

/** Gives the actors of one client's actor system their dependencies. */
export function provideClientDependencies(system: object, dependencies: ClientDependencies): void {
  byActorSystem.set(system, dependencies);
}

/** The dependencies of the client that owns `system`; throws if it has none (the actor then fails, and the machine reports it). */
export function clientDependencies(system: object): ClientDependencies {
  const dependencies = byActorSystem.get(system);
  if (dependencies === undefined) throw new Error('No client dependencies for this actor system');
  return dependencies;
}
