import type { SessionEventMessage, SessionStatus } from '../src/protocol/types.js';

/** `Omit` applied to each member of a union. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

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
  /** Clock. Default `Date.now`. */
  now?: () => number;
}

// Dropped entries are cut off the arrays in batches, not one `shift()` per append.
const COMPACT_AFTER = 1_024;

/**
 * The in-memory event log: ids are `<epoch>.<sequence>`, where the epoch is random per log, so ids
 * from another run of the gateway never collide with this run's (a client dedupes by id). Bounded
 * by `maxEvents` and `maxAgeMs`; a position is a sequence number.
 *
 * @example
 * const log = createMemoryEventLog({ maxEvents: 1_000 });
 */
export function createMemoryEventLog(options: MemoryEventLogOptions = {}): EventLog {
  const { maxEvents = 10_000, maxAgeMs = 24 * 3_600_000, now = Date.now } = options;
  const prefix = `${options.epoch ?? Math.random().toString(36).slice(2, 8)}.`;
  let encoded: string[] = [];
  let appendedAt: number[] = [];
  // encoded[head] has sequence `first`; entries before head were dropped.
  let head = 0;
  let first = 1;
  let sequence = 0;
  let status: SessionStatus | undefined;

  const kept = () => encoded.length - head;
  const dropOldest = () => {
    head++;
    first++;
  };
  const trim = (at: number) => {
    while (kept() > maxEvents) dropOldest();
    while (kept() > 0 && (appendedAt[head] ?? at) <= at - maxAgeMs) dropOldest();
    if (head >= COMPACT_AFTER && head * 2 >= encoded.length) {
      encoded = encoded.slice(head);
      appendedAt = appendedAt.slice(head);
      head = 0;
    }
  };
  const sequenceOf = (id: string): number | undefined => {
    if (!id.startsWith(prefix)) return undefined;
    const n = Number(id.slice(prefix.length));
    return Number.isInteger(n) && n >= 0 && n <= sequence ? n : undefined;
  };

  const log: EventLog = {
    append(frame) {
      sequence++;
      const event = { ...frame, id: `${prefix}${sequence}` } as SessionEventMessage;
      const text = JSON.stringify(event);
      const at = now();
      encoded.push(text);
      appendedAt.push(at);
      if (event.type === 'status_change') status = event.status;
      trim(at);
      return { event, encoded: text };
    },
    locate(lastEventId) {
      trim(now());
      if (lastEventId === '') return { position: 1, recovered: first === 1 };
      const n = sequenceOf(lastEventId);
      if (n === undefined) return { position: first, recovered: false };
      return { position: n + 1, recovered: n + 1 >= first };
    },
    read(position, maxBytes) {
      const start = Math.max(position, first);
      const page: string[] = [];
      let bytes = 0;
      for (
        let i = head + (start - first);
        i < encoded.length && (page.length === 0 || bytes < maxBytes);
        i++
      ) {
        const text = encoded[i] as string;
        page.push(text);
        bytes += text.length;
      }
      return { encoded: page, next: start + page.length, gap: start > position };
    },
    after(lastEventId) {
      const { position, recovered } = log.locate(lastEventId);
      const { encoded: texts, gap } = log.read(position, Number.POSITIVE_INFINITY);
      return {
        events: texts.map((text) => JSON.parse(text) as SessionEventMessage),
        found: recovered && !gap,
      };
    },
    get status() {
      return status;
    },
    forget() {
      encoded = [];
      appendedAt = [];
      head = 0;
      first = sequence + 1;
    },
    get size() {
      return kept();
    },
  };
  return log;
}
