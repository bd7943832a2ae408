/** A clock for XState's `clock` option whose timeouts run only when the test or benchmark fires them. */
export class ManualClock {
  #next = 1;
  readonly #timeouts = new Map<number, { run: () => void; ms: number }>();

  setTimeout(run: (...args: unknown[]) => void, ms: number): number {
    const id = this.#next++;
    this.#timeouts.set(id, { run, ms });
    return id;
  }

  clearTimeout(id: number): void {
    this.#timeouts.delete(id);
  }

  /** Runs the pending timeout of this duration, if there is one; fails if there are several. */
  fireIfPending(ms: number): void {
    const matches = [...this.#timeouts].filter(([, timeout]) => timeout.ms === ms);
    if (matches.length === 0) return;
    if (matches.length > 1) {
      throw new Error(
        `Expected one pending ${ms} ms timeout, found ${matches.length} (pending: ${this.describe()})`,
      );
    }
    const [id, timeout] = matches[0] as [number, { run: () => void; ms: number }];
    this.#timeouts.delete(id);
    timeout.run();
  }

  /** Durations of the pending timeouts. */
  describe(): string {
    return [...this.#timeouts.values()].map((timeout) => timeout.ms).join(', ') || 'none';
  }

  /** Runs every pending timeout once (those they schedule wait for the next call). */
  runAll(): void {
    const due = [...this.#timeouts.values()];
    this.#timeouts.clear();
    for (const timeout of due) timeout.run();
  }
}
