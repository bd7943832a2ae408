/** Bindings and vars of the gateway Worker (`wrangler.jsonc`). Numbers come as strings, like every var. */
export interface Env {
  /** One Durable Object per chatKey (the Worker only forwards requests to it with `fetch`). */
  SESSIONS: DurableObjectNamespace;
  /** Signs session tokens and guards the runtime API. Required (`wrangler secret put GATEWAY_SECRET`). */
  GATEWAY_SECRET?: string;
  /** Close a socket that has not authenticated after this long (4008). Default 5 000 ms. */
  AUTH_TIMEOUT_MS?: string;
  /** Largest accepted frame; bigger ones close the socket with 1009. Default 65 536 bytes. */
  MAX_FRAME_BYTES?: string;
  /** Frames a socket may send at once before 4429. Default 100. */
  RATE_LIMIT_BURST?: string;
  /** Refill rate of that budget. Default 50 frames/s. */
  RATE_LIMIT_PER_SECOND?: string;
}

/** The limits of one socket, the same as the Node gateway's options (and defaults). */
export interface Limits {
  authTimeoutMs: number;
  maxFrameBytes: number;
  rateLimit: { burst: number; perSecond: number };
}

const positive = (value: string | undefined, fallback: number) => {
  const parsed = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
};

/** Reads the limits from the Worker's vars; a missing or invalid var keeps the default. */
export function readLimits(env: Env): Limits {
  return {
    authTimeoutMs: positive(env.AUTH_TIMEOUT_MS, 5_000),
    maxFrameBytes: positive(env.MAX_FRAME_BYTES, 64 * 1024),
    rateLimit: {
      burst: positive(env.RATE_LIMIT_BURST, 100),
      perSecond: positive(env.RATE_LIMIT_PER_SECOND, 50),
    },
  };
}
