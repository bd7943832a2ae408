/** Logs a listener's exception: the `logger` option's `error`. */
export type ListenerErrorReporter = (error: unknown, event: string) => void;

type AnyListener = (...args: never[]) => void;

/**
 * Listener registry keyed by event name. Each listener is called in isolation: one that throws is
 * reported and neither stops the others nor reaches the client.
 */
export class Listeners<TEvents extends { [K in keyof TEvents]: AnyListener }> {
  readonly #byEvent = new Map<keyof TEvents, Set<AnyListener>>();
  readonly #report: ListenerErrorReporter;

  constructor(report: ListenerErrorReporter) {
    this.#report = report;
  }

  /** Adds a listener; adding the same one twice keeps one. */
  on<K extends keyof TEvents>(event: K, listener: TEvents[K]): void {
    let set = this.#byEvent.get(event);
    if (set === undefined) {
      set = new Set();
      this.#byEvent.set(event, set);
    }
    set.add(listener);
  }

  /** Removes a listener. */
  off<K extends keyof TEvents>(event: K, listener: TEvents[K]): void {
    this.#byEvent.get(event)?.delete(listener);
  }

  /** Whether anyone listens to `event` (lets the hot path skip building payloads). */
  has(event: keyof TEvents): boolean {
    return (this.#byEvent.get(event)?.size ?? 0) > 0;
  }

  /** Calls every listener of `event` with `args`. */
  emit<K extends keyof TEvents>(event: K, ...args: Parameters<TEvents[K]>): void {
    const set = this.#byEvent.get(event);
    if (set === undefined) return;
    for (const listener of set) {
      try {
        (listener as (...a: Parameters<TEvents[K]>) => void)(...args);
      } catch (error) {
        this.#report(error, String(event));
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.#byEvent.clear();
  }
}
