import type { ActorOptions, AnyActorLogic } from 'xstate';
import type { ConnectionConfig } from '../machines/connection.config.js';
import { buildSocketUrl } from './protocol/url.js';
import type { WebSocketConstructor } from './webSocket.js';

/** Where the client writes diagnostics (malformed frames, throwing listeners). Default `console`. */
export interface Logger {
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** Options of {@link AgentGatewayClient}: the original client's, plus a few extras for tests and tuning. */
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
  /** Seed of the backoff jitter's random draws, so a test replays the same delays. Default a random seed. */
  jitterSeed?: number;
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
  'maxReauthsPerLink',
  'maxMalformedFramesPerSecond',
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

/** A logger that cannot throw: a throwing logger must not break the socket's handlers that call it. */
export function guardLogger(logger: Logger): Logger {
  const safely =
    (write: (...args: unknown[]) => void) =>
    (...args: unknown[]) => {
      try {
        write.apply(logger, args);
      } catch {
        // Nowhere left to report it.
      }
    };
  return { warn: safely(logger.warn), error: safely(logger.error) };
}

/** Refuses options the client cannot work with, with a clear message; returns the WebSocket class to use. */
export function checkOptions(options: AgentGatewayClientOptions): WebSocketConstructor {
  if (typeof options.gatewayUrl !== 'string') throw new TypeError('gatewayUrl is required');
  buildSocketUrl(options.gatewayUrl, '');
  if (options.getToken === undefined && typeof options.token !== 'string') {
    throw new TypeError('One of token or getToken is required');
  }
  const WebSocketClass = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (WebSocketClass === undefined) {
    throw new TypeError(
      'No global WebSocket here: pass one as the WebSocket option (in Node, the ws package)',
    );
  }
  return WebSocketClass;
}
