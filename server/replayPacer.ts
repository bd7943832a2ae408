// What all replays together may spend per turn of the event loop: other sockets, timers and the
// agents get the loop back well within the ~20 ms a user would notice.
const TURN_BUDGET_MS = 8;

/**
 * Shares the event loop among replays: each queued step (one page of one replay) runs in turn,
 * until the turn's budget is spent; the rest wait for the next turn (`setImmediate`, after timers
 * and I/O). However many sockets resume at once, the loop is never held much longer than a turn.
 */
export class ReplayPacer {
  #queue: Array<() => void> = [];
  #scheduled = false;

  constructor(private readonly onError: (error: unknown) => void = () => undefined) {}

  /** Runs `step` in a later turn, in order with the other steps. */
  enqueue(step: () => void): void {
    this.#queue.push(step);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#run);
    }
  }

  readonly #run = () => {
    this.#scheduled = false;
    const turnEnds = performance.now() + TURN_BUDGET_MS;
    const steps = this.#queue;
    this.#queue = [];
    let next = 0;
    while (next < steps.length && performance.now() < turnEnds) {
      try {
        (steps[next++] as () => void)();
      } catch (error) {
        this.onError(error);
      }
    }
    // Steps queued meanwhile go after the ones this turn had no time for.
    this.#queue = [...steps.slice(next), ...this.#queue];
    if (this.#queue.length > 0 && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#run);
    }
  };
}
