/** Logs a listener's exception: the `logger` option's `error`. */
export type ListenerErrorReporter = (error: unknown, event: string) => void;

type AnyListener = (...args: never[]) => void;

/**
 * Listener registry keyed by event name. Each listener is called in isolation: one that throws is
 * reported and neither stops the others nor reaches the client.
 */
export class Listeners<TEvents extends { [K in keyof TEvents]: AnyListener }> {
  // Copy-on-write arrays: emitting (once or twice per frame) allocates nothing, and a listener added
  // or removed during an emit does not disturb the loop in progress.
  readonly #byEvent = new Map<keyof TEvents, readonly AnyListener[]>();
  readonly #report: ListenerErrorReporter;

  constructor(report: ListenerErrorReporter) {
    this.#report = report;
  }

  /** Adds a listener; adding the same one twice keeps one. */
  on<K extends keyof TEvents>(event: K, listener: TEvents[K]): void {
    const current = this.#byEvent.get(event) ?? [];
    if (!current.includes(listener)) this.#byEvent.set(event, [...current, listener]);
  }

  /** Removes a listener. */
  off<K extends keyof TEvents>(event: K, listener: TEvents[K]): void {
    const current = this.#byEvent.get(event);
    if (current?.includes(listener))
      this.#byEvent.set(
        event,
        current.filter((other) => other !== listener),
      );
  }

  /** Calls every listener of `event` with its arguments (at most three, passed without an array). */
  emit<K extends keyof TEvents>(
    event: K,
    first?: Parameters<TEvents[K]>[0],
    second?: Parameters<TEvents[K]>[1],
    third?: Parameters<TEvents[K]>[2],
  ): void {
    const list = this.#byEvent.get(event);
    if (list === undefined) return;
    // Listeners see exactly the arguments given (no trailing undefined), still without an array.
    const count = arguments.length - 1;
    for (let i = 0; i < list.length; i++) {
      const listener = list[i] as (a?: unknown, b?: unknown, c?: unknown) => void;
      try {
        if (count === 0) listener();
        else if (count === 1) listener(first);
        else if (count === 2) listener(first, second);
        else listener(first, second, third);
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
