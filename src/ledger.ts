import type { SessionEventMessage } from './protocol/types.js';

/** Default number of recent event ids remembered to drop replayed duplicates. */
export const DEFAULT_DEDUPE_WINDOW = 10_000;

/**
 * Remembers which session events were delivered: the resume point (`lastEventId`) and the ids of the
 * last `dedupeWindow` events. Ids are opaque: compared for equality only, never parsed or ordered.
 *
 * A duplicate can only arrive while a replay may overlap what was delivered (from the start of a link
 * until the machine says its replay is over): only then is each id looked up, in a set built from
 * the recent ids when the replay begins. In between, a live event costs one store into a ring.
 */
export class EventLedger {
  /** Id of the last delivered event; `""` before any. */
  lastEventId: string;
  /** Frames dropped because their id was already delivered. */
  duplicates = 0;
  // The last `window` ids in delivery order, overwritten oldest-first once full. It grows as ids
  // arrive, so an idle client does not pay for the whole window.
  readonly #ring: string[] = [];
  readonly #window: number;
  #next = 0;
  // The recent ids as a set, while a replay may overlap them; `undefined` between replays.
  #replaying: Set<string> | undefined;
  // Every frame of the replay requested last, duplicates included, in the gateway's order (up to the
  // window): what the session is rebuilt from when the gateway says history was lost.
  #replayed: SessionEventMessage[] | undefined;

  constructor(lastEventId: string, dedupeWindow = DEFAULT_DEDUPE_WINDOW) {
    this.lastEventId = lastEventId;
    this.#window = Math.max(1, Math.floor(dedupeWindow));
  }

  /** Until {@link endReplay}, ids already delivered are refused (a replay may come). */
  expectDuplicates(): void {
    this.#replaying ??= new Set(this.#ring);
  }

  /** A replay was requested: duplicates are refused, and its frames kept until it ends. */
  beginReplay(): void {
    this.expectDuplicates();
    this.#replayed = [];
  }

  /** The replay is over: what follows is live, in the gateway's order, each event once. */
  endReplay(): void {
    this.#replaying = undefined;
    this.#replayed = undefined;
  }

  /** The frames of the current replay, in the gateway's order; `undefined` outside a replay or past the window. */
  get replayed(): readonly SessionEventMessage[] | undefined {
    return this.#replayed;
  }

  /** Records the event and returns `true`, or, during a replay, returns `false` for an id already delivered. */
  accept(message: SessionEventMessage): boolean {
    const id = message.id;
    const replaying = this.#replaying;
    if (replaying !== undefined) {
      const replayed = this.#replayed;
      if (replayed !== undefined) {
        // Past the window a rebuild could not start at the beginning: none is offered then.
        if (replayed.length < this.#window) replayed.push(message);
        else this.#replayed = undefined;
      }
      if (replaying.has(id)) {
        this.duplicates++;
        return false;
      }
      replaying.add(id);
    }
    const ring = this.#ring;
    if (ring.length < this.#window) ring.push(id);
    else {
      // The id leaving the window may be delivered again: forget it in the set too.
      replaying?.delete(ring[this.#next] as string);
      ring[this.#next] = id;
      this.#next = this.#next + 1 === this.#window ? 0 : this.#next + 1;
    }
    this.lastEventId = id;
    return true;
  }

  /** Starts over for another conversation: no event delivered yet. */
  reset(): void {
    this.#ring.length = 0;
    this.#next = 0;
    this.#replaying = this.#replaying === undefined ? undefined : new Set();
    this.#replayed = undefined;
    this.lastEventId = '';
  }
}
