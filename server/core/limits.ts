import type { RateLimit } from './rateLimit.js';

/**
 * Every limit of the gateway, in one place: the Node gateway takes them as options, the Durable
 * Object reads them from the Worker's vars (`server/cloudflare/settings.ts`). docs/gateway-security.md
 * lists each with its close code.
 */
export interface GatewayLimits {
  /** A socket that has not authenticated after this long is closed (4008). Default 5 000 ms. */
  authTimeoutMs: number;
  /** Largest accepted frame; bigger ones close the socket (1009). Default 65 536 bytes. */
  maxFrameBytes: number;
  /** Per-socket token bucket: `burst` frames at once, refilled at `perSecond`; beyond it, 4429. Default 100 / 50. */
  rateLimit: RateLimit;
  /** An authenticated socket silent this long is closed (4008, retryable): 2.5 client heartbeats. Default 75 000 ms. */
  idleTimeoutMs: number;
  /** `auth_expired` goes out this long before the token expires (at most half its remaining life). Default 10 000 ms. */
  authExpiryNoticeMs: number;
  /** Frames a socket may have waiting (behind a token check, a replay or a re-authentication); beyond, 4429. Default 256. */
  maxPendingFrames: number;
  /** Per-socket send buffer; a reader that lets it grow past this is closed (1013, retryable). Default 4 MiB. Node only. */
  maxBufferedBytes: number;
  /** A socket the gateway closed is cut (TCP) this long after the close frame if still open. Default 1 000 ms. Node only. */
  closeGraceMs: number;
  /** A replay sends pages of about this many bytes, waiting for the socket to drain between them. Default 32 768. Node only. */
  replayPageBytes: number;
  /** Events kept per session; older ones are dropped (a resume from before them says `recovered: false`). Default 10 000. */
  maxLogEvents: number;
  /** Events older than this are dropped. Default 86 400 000 ms (24 h). */
  maxLogAgeMs: number;
  /** Characters of encoded events kept per session (bytes, for ASCII); the oldest are dropped beyond. Default 16 MiB. */
  maxLogBytes: number;
  /** A session with no socket and no new event for this long is evicted (its agent stopped). Default 3 600 000 ms (1 h). */
  sessionTtlMs: number;
  /** Sessions one token (its `subject`) may open; the next gets `auth_failed` and 4001. Default 100. Node only. */
  maxSessionsPerToken: number;
  /** Sockets still to authenticate, at once (Node: per gateway; Durable Object: per session); beyond, HTTP 503. Default 1 000. */
  maxUnauthenticatedSockets: number;
  /** Sockets still to authenticate from one address, at once; beyond, HTTP 429. Default 100. Node only. */
  maxUnauthenticatedPerAddress: number;
  /** An HTTP request (or upgrade) must send its headers within this long. Default 10 000 ms. Node only. */
  headersTimeoutMs: number;
  /** A `POST /runs` body must arrive within this long (408 beyond). Default 5 000 ms. Node only. */
  runBodyTimeoutMs: number;
}

/** The defaults of every limit (the same on both engines). */
export const DEFAULT_LIMITS: Readonly<GatewayLimits> = Object.freeze({
  authTimeoutMs: 5_000,
  maxFrameBytes: 64 * 1024,
  rateLimit: Object.freeze({ burst: 100, perSecond: 50 }),
  idleTimeoutMs: 75_000,
  authExpiryNoticeMs: 10_000,
  maxPendingFrames: 256,
  maxBufferedBytes: 4 * 1024 * 1024,
  closeGraceMs: 1_000,
  replayPageBytes: 32 * 1024,
  maxLogEvents: 10_000,
  maxLogAgeMs: 24 * 3_600_000,
  maxLogBytes: 16 * 1024 * 1024,
  sessionTtlMs: 3_600_000,
  maxSessionsPerToken: 100,
  maxUnauthenticatedSockets: 1_000,
  maxUnauthenticatedPerAddress: 100,
  headersTimeoutMs: 10_000,
  runBodyTimeoutMs: 5_000,
});

const isPositive = (value: unknown): value is number => typeof value === 'number' && value > 0;

/**
 * The defaults with some limits changed; throws a `RangeError` naming a limit that is not a
 * positive number (`Infinity` is allowed: no limit).
 *
 * @example
 * const limits = resolveLimits({ idleTimeoutMs: 30_000 });
 */
export function resolveLimits(overrides: Partial<GatewayLimits> = {}): GatewayLimits {
  const limits: GatewayLimits = { ...DEFAULT_LIMITS, ...pickLimits(overrides) };
  for (const [name, value] of Object.entries(limits)) {
    if (name === 'rateLimit') continue;
    if (!isPositive(value)) throw new RangeError(`${name} must be a positive number (got ${String(value)})`);
  }
  const { burst, perSecond } = limits.rateLimit;
  if (!isPositive(burst) || !isPositive(perSecond))
    throw new RangeError('rateLimit needs a positive burst and perSecond');
  return limits;
}

// Only the limits, and only those given: options objects carry other fields too.
function pickLimits(value: Partial<GatewayLimits>): Partial<GatewayLimits> {
  const names = Object.keys(DEFAULT_LIMITS) as Array<keyof GatewayLimits>;
  return Object.fromEntries(
    names.filter((name) => value[name] !== undefined).map((name) => [name, value[name]]),
  );
}
