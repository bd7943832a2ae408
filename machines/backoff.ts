/** The backoff schedule's parameters. */
export interface BackoffConfig {
  initialReconnectDelayMs: number;
  maxReconnectDelayMs: number;
  reconnectJitter: number;
}

/** Nominal delay before reconnect attempt `attempt` (1-based): initial × 2^(attempt−1), capped. */
export function nominalBackoffMs(attempt: number, config: BackoffConfig): number {
  const doubled = config.initialReconnectDelayMs * 2 ** Math.max(0, attempt - 1);
  return Math.min(doubled, config.maxReconnectDelayMs);
}

/**
 * Delay actually used before attempt `attempt`: drawn from [nominal × (1 − jitter), nominal], so
 * jitter only ever shortens a wait and the nominal schedule stays an upper bound.
 * `fraction` is a number in [0, 1).
 */
export function backoffDelayMs(attempt: number, config: BackoffConfig, fraction: number): number {
  const nominal = nominalBackoffMs(attempt, config);
  const jitter = Math.min(1, Math.max(0, config.reconnectJitter));
  return Math.round(nominal * (1 - jitter * fraction));
}

/**
 * One step of mulberry32, a tiny 32-bit PRNG: the jitter fraction in [0, 1) drawn from `seed`, and
 * the seed of the next draw. Pure, so the machine's random state is data in its context.
 */
export function drawJitter(seed: number): { fraction: number; seed: number } {
  const next = (seed + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { fraction: ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296, seed: next };
}
