/** A clock for XState's `clock` option: timeouts run only when `runDue` is called. */
export class ManualClock {
  #next = 1;
  readonly #timeouts = new Map<number, () => void>();

  setTimeout(run: () => void): number {
    const id = this.#next++;
    this.#timeouts.set(id, run);
    return id;
  }

  clearTimeout(id: number): void {
    this.#timeouts.delete(id);
  }

  /** Runs the pending timeouts that are not the link's own (connect/auth/heartbeat are re-armed on entry). */
  runDue(): void {
    const due = [...this.#timeouts];
    this.#timeouts.clear();
    for (const [, run] of due) run();
  }
}
