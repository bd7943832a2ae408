import type { ActorOptions, AnyActorLogic } from 'xstate';
import type { ConnectionConfig } from '../machines/connection.config.js';
import type { WebSocketConstructor } from './webSocket.js';

/** Where the client writes diagnostics (malformed frames, throwing listeners). Default `console`. */
export interface Logger {
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** Options of {@link AgentGatewayClient}: SPEC §5, plus a few extras for tests and tuning. */
export interface AgentGatewayClientOptions extends Partial<ConnectionConfig> {
  /** Base URL of the gateway (`http`, `https`, `ws` or `wss`). Required. */
  gatewayUrl: string;
  /** Static token, sent in `auth`; replace it with `updateToken`. One of `token` / `getToken` is required. */
  token?: string;
  /** Token provider called before every `auth` (may be async); takes precedence over `token`. */
  getToken?: () => string | Promise<string>;
  /** Resume from this event id on the first connect (e.g. stored before a page reload). Default `""`. */
  lastEventId?: string;
  /** WebSocket implementation. Default the global `WebSocket`; in Node pass the `ws` package's class. */
  WebSocket?: WebSocketConstructor;
  /** Diagnostics sink. Default `console`. */
  logger?: Logger;
  /** Inspection observer passed to XState's `createActor` (e.g. the Stately inspector). Default none. */
  inspect?: ActorOptions<AnyActorLogic>['inspect'];
  /** Clock for the machine's delays (e.g. XState's `SimulatedClock` in tests). Default real timers. */
  clock?: ActorOptions<AnyActorLogic>['clock'];
  /** Random source in [0, 1) for backoff jitter. Default `Math.random`. */
  random?: () => number;
  /** How many recent event ids are remembered to drop replayed duplicates. Default 10 000. */
  dedupeWindow?: number;
  /** Reconnect at once when the browser comes online or the page becomes visible. Default `true`. */
  watchEnvironment?: boolean;
}

const numericOptions = [
  'maxReconnectAttempts',
  'initialReconnectDelayMs',
  'maxReconnectDelayMs',
  'heartbeatIntervalMs',
  'heartbeatTimeoutMs',
  'connectTimeoutMs',
  'authTimeoutMs',
  'minUptimeMs',
  'maxQueuedCommands',
] as const satisfies readonly (keyof ConnectionConfig)[];

/** Picks the machine's configuration out of the options, refusing values that cannot work. */
export function toConnectionConfig(options: AgentGatewayClientOptions): Partial<ConnectionConfig> {
  const config: Partial<ConnectionConfig> = {};
  for (const key of numericOptions) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < 0)
      throw new RangeError(`${key} must be a finite number ≥ 0 (got ${value})`);
    config[key] = value;
  }
  if (options.reconnectJitter !== undefined) {
    const jitter = options.reconnectJitter;
    if (!(jitter >= 0 && jitter <= 1))
      throw new RangeError(`reconnectJitter must be within [0, 1] (got ${jitter})`);
    config.reconnectJitter = jitter;
  }
  if (options.autoReconnect !== undefined) config.autoReconnect = options.autoReconnect;
  if (options.outboxOverflow !== undefined) config.outboxOverflow = options.outboxOverflow;
  if (options.wantStatus !== undefined) config.wantStatus = options.wantStatus;
  return config;
}
