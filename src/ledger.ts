import type { SessionEventMessage } from './protocol/types.js';

/** Default number of recent event ids remembered to drop replayed duplicates. */
export const DEFAULT_DEDUPE_WINDOW = 10_000;

/**
 * Remembers which session events were delivered: the resume point (`lastEventId`) and the ids of the
 * last `dedupeWindow` events, so a replay that overlaps what was delivered live is dropped. Ids are
 * opaque: they are compared for equality only, never parsed or ordered.
 */
export class EventLedger {
  /** Id of the last delivered event; `""` before any. */
  lastEventId: string;
  /** Frames dropped because their id was already delivered. */
  duplicates = 0;
  readonly #seen = new Set<string>();
  // Ids in delivery order, overwritten oldest-first once full: O(1) eviction. (Deleting a Set's first
  // value instead makes V8 skip an ever longer run of deleted slots on every lookup of "the first".)
  // It grows as ids arrive, so an idle client does not pay for the whole window.
  readonly #ring: string[] = [];
  readonly #window: number;
  #next = 0;

  constructor(lastEventId = '', dedupeWindow = DEFAULT_DEDUPE_WINDOW) {
    this.lastEventId = lastEventId;
    this.#window = Math.max(1, Math.floor(dedupeWindow));
  }

  /** Records the event and returns `true`, or returns `false` for an id already delivered. */
  accept(message: SessionEventMessage): boolean {
    const seen = this.#seen;
    if (seen.has(message.id)) {
      this.duplicates++;
      return false;
    }
    const ring = this.#ring;
    if (ring.length < this.#window) ring.push(message.id);
    else {
      seen.delete(ring[this.#next] as string);
      ring[this.#next] = message.id;
      this.#next = (this.#next + 1) % this.#window;
    }
    seen.add(message.id);
    this.lastEventId = message.id;
    return true;
  }

  /** Starts over for another session, resuming from `lastEventId`. */
  reset(lastEventId = ''): void {
    this.#seen.clear();
    this.#ring.length = 0;
    this.#next = 0;
    this.lastEventId = lastEventId;
  }
}
