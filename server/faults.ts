/**
 * Faults the gateway can inject, for tests and demos. All off by default; change them at any time
 * through `server.setFaults`.
 */
export interface FaultOptions {
  /** Abruptly drop (no close frame) each socket after it was sent this many session events. */
  dropAfterEvents?: number;
  /** Never answer heartbeats. */
  swallowHeartbeatAcks?: boolean;
  /** Send a malformed frame before every Nth session event. */
  malformedEvery?: number;
  /** Send `auth_expired` this long after each successful auth. */
  expireAuthAfterMs?: number;
  /** Delay every outgoing frame by this long (order is kept). */
  frameDelayMs?: number;
}
