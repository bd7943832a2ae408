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
  // Counts changes, so a route knows when to rebuild its list.
  #version = 0;

  constructor(report: ListenerErrorReporter) {
    this.#report = report;
  }

  /** Adds a listener; adding the same one twice keeps one. */
  on<K extends keyof TEvents>(event: K, listener: TEvents[K]): void {
    const current = this.#byEvent.get(event) ?? [];
    if (current.includes(listener)) return;
    this.#byEvent.set(event, [...current, listener]);
    this.#version++;
  }

  /** Removes a listener. */
  off<K extends keyof TEvents>(event: K, listener: TEvents[K]): void {
    const current = this.#byEvent.get(event);
    if (!current?.includes(listener)) return;
    this.#byEvent.set(
      event,
      current.filter((other) => other !== listener),
    );
    this.#version++;
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

  /**
   * One dispatch for two events that always go together (`message`, then `agent_event`): the
   * listeners of both in one array, rebuilt only when a listener is added or removed.
   */
  route<A extends keyof TEvents, B extends keyof TEvents>(
    first: A,
    second: B,
  ): (value: Parameters<TEvents[A]>[0]) => void {
    let version = -1;
    let calls: readonly AnyListener[] = [];
    let names: readonly string[] = [];
    return (value) => {
      if (version !== this.#version) {
        const a = this.#byEvent.get(first) ?? [];
        const b = this.#byEvent.get(second) ?? [];
        calls = [...a, ...b];
        names = [...a.map(() => String(first)), ...b.map(() => String(second))];
        version = this.#version;
      }
      for (let i = 0; i < calls.length; i++) {
        try {
          (calls[i] as (value: unknown) => void)(value);
        } catch (error) {
          this.#report(error, names[i] as string);
        }
      }
    };
  }

  /** Removes every listener. */
  clear(): void {
    this.#byEvent.clear();
    this.#version++;
  }
}
