import type { Logger } from './options.js';
import type { FrameError } from './protocol/parse.js';

/** How often a flood of malformed frames may write to the log. */
export const MALFORMED_WARNING_INTERVAL_MS = 5_000;

/**
 * Counts malformed frames and logs them without flooding the log: the first one, then at most one
 * line every {@link MALFORMED_WARNING_INTERVAL_MS}, saying how many were not logged in between.
 */
export class MalformedFrameLog {
  /** Malformed frames so far. */
  count = 0;
  #logged = 0;
  #loggedAt = Number.NEGATIVE_INFINITY;

  constructor(readonly logger: Logger) {}

  /** Counts one malformed frame and logs it unless a line was written less than the interval ago. */
  record(error: FrameError): void {
    this.count++;
    const now = Date.now();
    if (now - this.#loggedAt < MALFORMED_WARNING_INTERVAL_MS) return;
    const unlogged = this.count - this.#logged - 1;
    if (unlogged === 0) this.logger.warn('[AgentGatewayClient] Failed to parse message:', error);
    else
      this.logger.warn(
        `[AgentGatewayClient] Failed to parse message (${unlogged} more not logged since the last):`,
        error,
      );
    this.#loggedAt = now;
    this.#logged = this.count;
  }
}
