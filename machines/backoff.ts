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
 * `random` returns a number in [0, 1).
 */
export function backoffDelayMs(attempt: number, config: BackoffConfig, random: () => number): number {
  const nominal = nominalBackoffMs(attempt, config);
  const jitter = Math.min(1, Math.max(0, config.reconnectJitter));
  return Math.round(nominal * (1 - jitter * random()));
}
