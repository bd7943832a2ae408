/**
 * A clock for XState's `clock` option whose timeouts run only when fired, and which remembers the
 * step that armed each one: the model compares the pending timers, their delays, and which of them
 * the last step armed (or re-armed).
 */
export class RecordingClock {
  /** The step being run; set by the harness before each step. */
  step = 0;
  #next = 1;
  readonly #timeouts = new Map<number, { run: () => void; ms: number; armedAt: number }>();

  setTimeout(run: (...args: unknown[]) => void, ms: number): number {
    const id = this.#next++;
    this.#timeouts.set(id, { run, ms, armedAt: this.step });
    return id;
  }

  clearTimeout(id: number): void {
    this.#timeouts.delete(id);
  }

  /** The pending timeouts: delay and whether the current step armed it. */
  pending(): Array<[number, boolean]> {
    return [...this.#timeouts.values()].map(({ ms, armedAt }) => [ms, armedAt === this.step]);
  }

  /** Runs the pending timeout of this delay, if there is one; fails if there are several. */
  fire(ms: number): void {
    const matches = [...this.#timeouts].filter(([, timeout]) => timeout.ms === ms);
    if (matches.length > 1) throw new Error(`Expected one pending ${ms} ms timeout, found ${matches.length}`);
    const [match] = matches;
    if (match === undefined) return;
    this.#timeouts.delete(match[0]);
    match[1].run();
  }
}
