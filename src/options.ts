import type { ActorOptions, AnyActorLogic } from 'xstate';
import { type ConnectionConfig, DEFAULT_CONNECTION_CONFIG } from '../machines/connection.config.js';
import type { ClientDialect } from './dialect.js';
import { DEFAULT_FRAME_LIMITS, type FrameLimits } from './protocol/parse.js';
import type { WebSocketConstructor } from './webSocket.js';

/** Where the client writes diagnostics (malformed frames, throwing listeners). Default `console`. */
export interface Logger {
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** Options of {@link AgentGatewayClient}: the original client's, plus a few extras for tests and tuning. */
export interface AgentGatewayClientOptions extends Partial<Omit<ConnectionConfig, 'dialect'>> {
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
  /** Largest frame taken, in UTF-8 bytes: a larger one is refused (a `FrameError`, counted as malformed). Default 1 MiB. */
  maxFrameBytes?: number;
  /** Deepest nesting of objects and arrays taken in a frame (at most 1,000): a deeper one is refused likewise. Default 100. */
  maxFrameDepth?: number;
  /**
   * The gateway's protocol: LobeHub's v1 is `lobehubDialect` from `agent-gateway-client/lobehub` (then
   * `connect` takes an operationId). Default the original protocol, with the extensions a gateway announces.
   */
  dialect?: ClientDialect;
}

/** The values an option given as a word may take. */
const CHOICES: Partial<Record<keyof ConnectionConfig, readonly string[]>> = {
  outboxOverflow: ['rejectNew', 'dropOldest'],
  backoffReset: ['uptime', 'open'],
};

/**
 * Picks the machine's configuration out of the options, over the dialect's, refusing values that
 * cannot work: every number finite and ≥ 0, `reconnectJitter` within [0, 1], every switch a boolean,
 * every word one of its choices.
 */
export function toConnectionConfig(
  options: AgentGatewayClientOptions,
  dialect: ClientDialect,
): Partial<ConnectionConfig> {
  const config: Record<string, unknown> = { ...dialect.config };
  for (const key of Object.keys(DEFAULT_CONNECTION_CONFIG) as Array<keyof ConnectionConfig>) {
    // The dialect is the `dialect` option's object, whose config names its rules.
    if (key === 'dialect') continue;
    const value: unknown = options[key];
    if (value === undefined) continue;
    const kind = typeof DEFAULT_CONNECTION_CONFIG[key];
    if (kind === 'number' && !(Number(value) >= 0 && Number.isFinite(value)))
      throw new RangeError(`${key} must be a finite number ≥ 0 (got ${String(value)})`);
    if (kind === 'boolean' && typeof value !== 'boolean')
      throw new TypeError(`${key} must be true or false (got ${String(value)})`);
    const choices = CHOICES[key];
    if (choices !== undefined && !choices.includes(value as string))
      throw new RangeError(`${key} must be one of ${choices.join(', ')} (got ${String(value)})`);
    config[key] = value;
  }
  if (options.reconnectJitter !== undefined && options.reconnectJitter > 1)
    throw new RangeError(`reconnectJitter must be within [0, 1] (got ${options.reconnectJitter})`);
  return config as Partial<ConnectionConfig>;
}

// The depth check recurses once per level: beyond this a limit would risk the stack it protects.
const MAX_FRAME_DEPTH_LIMIT = 1_000;

/** The frame limits the options ask for, over the defaults: whole numbers ≥ 1, the depth at most 1,000. */
export function toFrameLimits(options: AgentGatewayClientOptions): FrameLimits {
  const maxBytes = options.maxFrameBytes ?? DEFAULT_FRAME_LIMITS.maxBytes;
  const maxDepth = options.maxFrameDepth ?? DEFAULT_FRAME_LIMITS.maxDepth;
  if (!Number.isInteger(maxBytes) || maxBytes < 1)
    throw new RangeError(`maxFrameBytes must be a whole number ≥ 1 (got ${String(maxBytes)})`);
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > MAX_FRAME_DEPTH_LIMIT)
    throw new RangeError(
      `maxFrameDepth must be a whole number from 1 to ${MAX_FRAME_DEPTH_LIMIT} (got ${String(maxDepth)})`,
    );
  return { maxBytes, maxDepth };
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
export function checkOptions(
  options: AgentGatewayClientOptions,
  dialect: ClientDialect,
): WebSocketConstructor {
  if (typeof options.gatewayUrl !== 'string') throw new TypeError('gatewayUrl is required');
  dialect.socketUrl(options.gatewayUrl, '');
  // An empty static token can only be refused, link after link: it is a mistake to say at once.
  if (options.getToken === undefined && (typeof options.token !== 'string' || options.token === '')) {
    throw new TypeError('One of token (a non-empty string) or getToken is required');
  }
  const WebSocketClass = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (WebSocketClass === undefined) {
    throw new TypeError(
      'No global WebSocket here: pass one as the WebSocket option (in Node, the ws package)',
    );
  }
  return WebSocketClass;
}
