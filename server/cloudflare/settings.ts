import { DEFAULT_LIMITS, type GatewayLimits, resolveLimits } from '../core/limits.js';
import { MIN_SECRET_BYTES, secretBytes } from '../core/tokenCheck.js';

/**
 * The Worker's vars and secrets (`wrangler.jsonc`, `wrangler secret put`). Numbers come as strings,
 * like every var; a missing or invalid one keeps the default of `server/core/limits.ts`.
 */
export interface GatewayVars {
  /** Signs session tokens (`createSessionToken`), ≥ 32 bytes. Required: `wrangler secret put GATEWAY_SECRET`. */
  GATEWAY_SECRET?: string;
  /** Bearer key of the agent runtime API, ≥ 32 bytes, not the signing secret. Required: `wrangler secret put RUNTIME_API_KEY`. */
  RUNTIME_API_KEY?: string;
  /** Default 5 000 ms (4008). */
  AUTH_TIMEOUT_MS?: string;
  /** Default 65 536 bytes (1009). */
  MAX_FRAME_BYTES?: string;
  /** Default 100 frames at once (4429). */
  RATE_LIMIT_BURST?: string;
  /** Default 50 frames/s. */
  RATE_LIMIT_PER_SECOND?: string;
  /** Default 75 000 ms (4008 `Idle timeout`). */
  IDLE_TIMEOUT_MS?: string;
  /** Default 10 000 ms. */
  AUTH_EXPIRY_NOTICE_MS?: string;
  /** Default 256 (4429). */
  MAX_PENDING_FRAMES?: string;
  /** Default 10 000 events. */
  MAX_LOG_EVENTS?: string;
  /** Default 86 400 000 ms (24 h). */
  MAX_LOG_AGE_MS?: string;
  /** Default 16 MiB of encoded events per session. */
  MAX_LOG_BYTES?: string;
  /** Default 3 600 000 ms (1 h): a session without sockets and events this long is deleted. */
  SESSION_TTL_MS?: string;
  /** Default 1 000 sockets still to authenticate per session (HTTP 503 beyond). */
  MAX_UNAUTHENTICATED_SOCKETS?: string;
}

type NumericLimit = Exclude<keyof GatewayLimits, 'rateLimit'>;

/** The Worker var of each limit the Durable Object enforces (the others are the Node engine's). */
export const LIMIT_VARS = {
  authTimeoutMs: 'AUTH_TIMEOUT_MS',
  maxFrameBytes: 'MAX_FRAME_BYTES',
  idleTimeoutMs: 'IDLE_TIMEOUT_MS',
  authExpiryNoticeMs: 'AUTH_EXPIRY_NOTICE_MS',
  maxPendingFrames: 'MAX_PENDING_FRAMES',
  maxLogEvents: 'MAX_LOG_EVENTS',
  maxLogAgeMs: 'MAX_LOG_AGE_MS',
  maxLogBytes: 'MAX_LOG_BYTES',
  sessionTtlMs: 'SESSION_TTL_MS',
  maxUnauthenticatedSockets: 'MAX_UNAUTHENTICATED_SOCKETS',
} as const satisfies Partial<Record<NumericLimit, keyof GatewayVars>>;

/** The vars of the rate limit. */
export const RATE_LIMIT_VARS = { burst: 'RATE_LIMIT_BURST', perSecond: 'RATE_LIMIT_PER_SECOND' } as const;

const positive = (value: string | undefined, fallback: number) => {
  const parsed = Number(value);
  return value !== undefined && value !== '' && parsed > 0 ? parsed : fallback;
};

/** Reads the limits from the Worker's vars; a missing or invalid var keeps the default. */
export function readLimits(vars: GatewayVars): GatewayLimits {
  const overrides: Partial<GatewayLimits> = {
    rateLimit: {
      burst: positive(vars[RATE_LIMIT_VARS.burst], DEFAULT_LIMITS.rateLimit.burst),
      perSecond: positive(vars[RATE_LIMIT_VARS.perSecond], DEFAULT_LIMITS.rateLimit.perSecond),
    },
  };
  for (const [limit, name] of Object.entries(LIMIT_VARS) as Array<[NumericLimit, keyof GatewayVars]>)
    overrides[limit] = positive(vars[name], DEFAULT_LIMITS[limit]);
  return resolveLimits(overrides);
}

/** Why the token-signing secret cannot be used, if it cannot. */
export function signingSecretProblem(vars: GatewayVars): string | undefined {
  const secret = vars.GATEWAY_SECRET;
  if (!secret || secretBytes(secret) < MIN_SECRET_BYTES)
    return `GATEWAY_SECRET must be set, at least ${MIN_SECRET_BYTES} bytes`;
  return undefined;
}

/** Why the runtime API key cannot be used, if it cannot: it must be long, and not the signing secret. */
export function runtimeKeyProblem(vars: GatewayVars): string | undefined {
  const key = vars.RUNTIME_API_KEY;
  if (!key || secretBytes(key) < MIN_SECRET_BYTES)
    return `RUNTIME_API_KEY must be set, at least ${MIN_SECRET_BYTES} bytes`;
  if (key === vars.GATEWAY_SECRET) return 'RUNTIME_API_KEY must differ from GATEWAY_SECRET';
  return undefined;
}
