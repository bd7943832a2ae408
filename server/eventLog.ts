import type { SessionEventMessage, SessionStatus } from '../src/protocol/types.js';

/** `Omit` applied to each member of a union. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A frame as a session publishes it: the log gives it its id. */
export type PublishedFrame = DistributiveOmit<SessionEventMessage, 'id'>;

/** An event as appended: the frame with its id, and its encoding (sent as is to every socket). */
export interface LoggedEvent {
  event: SessionEventMessage;
  encoded: string;
}

/** Where a replay after some `lastEventId` starts. */
export interface ReplayStart {
  /** Position of the first event to send (see {@link EventLog.read}). */
  position: number;
  /** `false` when some events after `lastEventId` are no longer kept, or the id is unknown. */
  recovered: boolean;
}

/** One page of a replay. */
export interface LogPage {
  /** Encoded events, in order (empty at the end of the log). */
  encoded: readonly string[];
  /** Position to read next. */
  next: number;
  /** Events between the position asked for and the first one returned were dropped meanwhile. */
  gap: boolean;
}

/** What {@link EventLog.after} returns: the events after the resume point, decoded. */
export interface Replay {
  events: SessionEventMessage[];
  /** `false` when the resume point was not found (never issued here, or dropped): `events` is then everything kept. */
  found: boolean;
}

/**
 * The session's event log, behind a small interface so a durable or distributed store can replace
 * the in-memory default. Ids are strings the store issues, increasing within a session; events
 * are stored encoded, and read back in pages.
 */
export interface EventLog {
  /** Assigns the next id to a frame, stores it (encoded once), and returns both. */
  append(frame: DistributiveOmit<SessionEventMessage, 'id'>): LoggedEvent;
  /** Where a replay after `lastEventId` (`""`: from the start) begins. */
  locate(lastEventId: string): ReplayStart;
  /** Encoded events from `position` on, about `maxBytes` of them (at least one, if any). */
  read(position: number, maxBytes: number): LogPage;
  /** Every kept event after `lastEventId`, decoded (tests and tools; a socket's replay uses `read`). */
  after(lastEventId: string): Replay;
  /** The last status appended (kept even when the events are forgotten). */
  readonly status: SessionStatus | undefined;
  /** Forgets the stored events but keeps the status and the id sequence (a hibernated server). */
  forget(): void;
  /** Number of events kept. */
  readonly size: number;
}

/** Options of {@link createMemoryEventLog}. */
export interface MemoryEventLogOptions {
  /** Prefix of the ids, random per log so ids of another gateway run never collide. Default: 6 random characters. */
  epoch?: string;
  /** Events kept; the oldest are dropped beyond. Default 10 000. */
  maxEvents?: number;
  /** Events older than this are dropped. Default 24 h. */
  maxAgeMs?: number;
  /** Characters of encoded events kept (bytes, for ASCII); the oldest are dropped beyond. Default 16 MiB. */
  maxBytes?: number;
  /** Clock. Default `Date.now`. */
  now?: () => number;
  /**
   * Ids as plain integers from 1, with no epoch (LobeHub's gateways), continuing the sequence the
   * `sequences` store kept for `key` (so it survives the session's eviction). Default: epoch ids.
   */
  sequence?: { key: string; sequences: SequenceStore };
}

/**
 * The last id of each session's sequence, kept beyond the sessions themselves (LobeHub's gateways
 * persist theirs), for the most recent `limit` keys.
 */
export class SequenceStore {
  readonly #last = new Map<string, number>();

  constructor(private readonly limit = 100_000) {}

  /** The last sequence number issued for `key`; 0 before any. */
  last(key: string): number {
    return this.#last.get(key) ?? 0;
  }

  /** Records the last sequence number issued for `key`. */
  record(key: string, sequence: number): void {
    this.#last.delete(key);
    this.#last.set(key, sequence);
    if (this.#last.size > this.limit) this.#last.delete(this.#last.keys().next().value as string);
  }
}

// Dropped entries are cut off the arrays in batches, not one `shift()` per append.
const COMPACT_AFTER = 1_024;

/**
 * The in-memory event log: ids are `<epoch>.<sequence>`, where the epoch is random per log, so ids
 * from another run of the gateway never collide with this run's (a client dedupes by id). Bounded
 * by `maxEvents`, `maxAgeMs` and `maxBytes`; a position is a sequence number.
 *
 * @example
 * const log = createMemoryEventLog({ maxEvents: 1_000 });
 */
export function createMemoryEventLog(options: MemoryEventLogOptions = {}): EventLog {
  return new MemoryEventLog(options);
}

// A class, not a closure per method: a gateway holds thousands of these.
class MemoryEventLog implements EventLog {
  readonly #prefix: string;
  readonly #sequenceStore: { key: string; sequences: SequenceStore } | undefined;
  readonly #maxEvents: number;
  readonly #maxAgeMs: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  // Characters of the encoded events kept.
  #bytes = 0;
  #encoded: string[] = [];
  #appendedAt: number[] = [];
  // #encoded[#head] has sequence #first; entries before #head were dropped.
  #head = 0;
  #first = 1;
  #sequence = 0;
  #status: SessionStatus | undefined;

  constructor(options: MemoryEventLogOptions) {
    this.#sequenceStore = options.sequence;
    this.#prefix =
      options.sequence === undefined ? `${options.epoch ?? Math.random().toString(36).slice(2, 8)}.` : '';
    if (options.sequence !== undefined) {
      // A session of the same key before this one: its ids go on from where it stopped.
      this.#sequence = options.sequence.sequences.last(options.sequence.key);
      this.#first = this.#sequence + 1;
    }
    this.#maxEvents = options.maxEvents ?? 10_000;
    this.#maxAgeMs = options.maxAgeMs ?? 24 * 3_600_000;
    this.#maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    this.#now = options.now ?? Date.now;
  }

  get status(): SessionStatus | undefined {
    return this.#status;
  }

  get size(): number {
    return this.#encoded.length - this.#head;
  }

  append(frame: PublishedFrame): LoggedEvent {
    this.#sequence++;
    this.#sequenceStore?.sequences.record(this.#sequenceStore.key, this.#sequence);
    const event = { ...frame, id: `${this.#prefix}${this.#sequence}` } as SessionEventMessage;
    const encoded = JSON.stringify(event);
    const at = this.#now();
    this.#encoded.push(encoded);
    this.#appendedAt.push(at);
    this.#bytes += encoded.length;
    if (event.type === 'status_change') this.#status = event.status;
    this.#trim(at);
    return { event, encoded };
  }

  locate(lastEventId: string): ReplayStart {
    this.#trim(this.#now());
    if (lastEventId === '') return { position: 1, recovered: this.#first === 1 };
    const n = this.#sequenceOf(lastEventId);
    if (n === undefined) return { position: this.#first, recovered: false };
    return { position: n + 1, recovered: n + 1 >= this.#first };
  }

  read(position: number, maxBytes: number): LogPage {
    const start = Math.max(position, this.#first);
    const page: string[] = [];
    let bytes = 0;
    for (let i = this.#head + (start - this.#first); i < this.#encoded.length; i++) {
      if (page.length > 0 && bytes >= maxBytes) break;
      const text = this.#encoded[i] as string;
      page.push(text);
      bytes += text.length;
    }
    return { encoded: page, next: start + page.length, gap: start > position };
  }

  after(lastEventId: string): Replay {
    const { position, recovered } = this.locate(lastEventId);
    const { encoded, gap } = this.read(position, Number.POSITIVE_INFINITY);
    return {
      events: encoded.map((text) => JSON.parse(text) as SessionEventMessage),
      found: recovered && !gap,
    };
  }

  forget(): void {
    this.#encoded = [];
    this.#appendedAt = [];
    this.#bytes = 0;
    this.#head = 0;
    this.#first = this.#sequence + 1;
  }

  #trim(at: number): void {
    while (this.size > this.#maxEvents || this.#bytes > this.#maxBytes) this.#dropOldest();
    while (this.size > 0 && (this.#appendedAt[this.#head] ?? at) <= at - this.#maxAgeMs) this.#dropOldest();
    if (this.#head >= COMPACT_AFTER && this.#head * 2 >= this.#encoded.length) {
      this.#encoded = this.#encoded.slice(this.#head);
      this.#appendedAt = this.#appendedAt.slice(this.#head);
      this.#head = 0;
    }
  }

  #dropOldest(): void {
    this.#bytes -= (this.#encoded[this.#head] as string).length;
    this.#head++;
    this.#first++;
  }

  #sequenceOf(id: string): number | undefined {
    if (!id.startsWith(this.#prefix)) return undefined;
    const n = Number(id.slice(this.#prefix.length));
    return Number.isInteger(n) && n >= 0 && n <= this.#sequence ? n : undefined;
  }
}
