import { IdWindow } from './idWindow.js';
import type { SessionEventMessage } from './protocol/types.js';

/** Default number of recent event ids remembered to drop duplicates. */
export const DEFAULT_DEDUPE_WINDOW = 10_000;

/**
 * Remembers which session events were delivered: the resume point (`lastEventId`) and the ids of the
 * last `dedupeWindow` events. An id already delivered is refused, during a replay and after it (a
 * replay overlaps what was delivered live; a faulty gateway can repeat ids). Ids are opaque here:
 * compared for equality only, never ordered (the window only stores numbered ids compactly; the
 * LobeHub dialect's ledger orders them).
 */
export class EventLedger {
  /** Id of the last delivered event; `""` before any. */
  lastEventId: string;
  /** Frames dropped because their id was already delivered. */
  duplicates = 0;
  // The last `window` ids delivered; it grows as ids arrive, so an idle client does not pay for the whole window.
  readonly #seen: IdWindow;
  readonly #window: number;
  // Every frame of the replay requested last, duplicates included, in the gateway's order (up to the
  // window): what the session is rebuilt from when the gateway says history was lost.
  #replayed: SessionEventMessage[] | undefined;

  constructor(lastEventId: string, dedupeWindow = DEFAULT_DEDUPE_WINDOW) {
    this.lastEventId = lastEventId;
    this.#window = Math.max(1, Math.floor(dedupeWindow));
    this.#seen = new IdWindow(this.#window);
  }

  /** A replay was requested: its frames are kept until it ends. */
  beginReplay(): void {
    this.#replayed = [];
  }

  /** The replay is over. */
  endReplay(): void {
    this.#replayed = undefined;
  }

  /** The frames of the current replay, in the gateway's order; `undefined` outside a replay or past the window. */
  get replayed(): readonly SessionEventMessage[] | undefined {
    return this.#replayed;
  }

  /** Records the event and returns `true`, or returns `false` for an id already delivered. A frame without an id is always new. */
  accept(message: SessionEventMessage): boolean {
    const replayed = this.#replayed;
    if (replayed !== undefined) {
      // Past the window a rebuild could not start at the beginning: none is offered then.
      if (replayed.length < this.#window) replayed.push(message);
      else this.#replayed = undefined;
    }
    const id = message.id as string | undefined;
    if (id === undefined) return true;
    if (!this.admit(id)) {
      this.duplicates++;
      return false;
    }
    this.lastEventId = id;
    return true;
  }

  /** Remembers `id` as delivered and returns `true`, or returns `false` for an id already delivered; the oldest is forgotten once the window is full. */
  protected admit(id: string): boolean {
    return this.#seen.addIfNew(id);
  }

  /** Starts over for another conversation: no event delivered yet. */
  reset(): void {
    this.#seen.clear();
    this.#replayed = undefined;
    this.lastEventId = '';
  }
}
