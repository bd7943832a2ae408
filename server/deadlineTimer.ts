// setTimeout fires at once for delays past 2^31 − 1 ms (~24.8 days): longer waits are taken in steps.
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * One timer for "call me at this time", safe for any distance (a 30-day token). Arming it for a
 * later time than the one pending keeps the pending one: the callback then finds nothing due and
 * arms again, which is cheaper than resetting a timer on every frame.
 */
export class DeadlineTimer {
  #timer: NodeJS.Timeout | undefined;
  #at: number | undefined;

  constructor(private readonly onDue: () => void) {}

  /** Calls back at `at` (ms since the epoch) or a little earlier; `undefined` disarms. */
  arm(at: number | undefined, now: number = Date.now()): void {
    if (at === undefined) return this.clear();
    if (this.#timer !== undefined && this.#at !== undefined && this.#at <= at) return;
    this.clear();
    this.#at = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#at = undefined;
        this.onDue();
      },
      Math.min(Math.max(0, at - now), MAX_DELAY_MS),
    );
  }

  /** Disarms. */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#at = undefined;
  }
}
