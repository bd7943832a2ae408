import type { SessionEventMessage, SessionStatus } from '../src/protocol/types.js';

/** What a replay returns: the events after the resume point, in order. */
export interface Replay {
  events: SessionEventMessage[];
  /** `false` when the resume point was not found (never issued here, or dropped): `events` is then everything kept. */
  found: boolean;
}

/**
 * The session's event log, behind a small interface so a durable or distributed store can replace
 * the in-memory default. Ids are strings the store issues, increasing within a session.
 */
export interface EventLog {
  /** Assigns the next id to a frame without one, stores it, and returns it. */
  append(frame: DistributiveOmit<SessionEventMessage, 'id'>): SessionEventMessage;
  /** Events after `lastEventId` (`""`: from the start). */
  after(lastEventId: string): Replay;
  /** The last status appended (kept even when the events are forgotten). */
  readonly status: SessionStatus | undefined;
  /** Forgets the stored events but keeps the status and the id sequence (a hibernated server). */
  forget(): void;
  /** Number of events kept. */
  readonly size: number;
}

/** `Omit` applied to each member of a union. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * The in-memory event log: ids are `<epoch>.<sequence>`, where the epoch is random per log, so ids
 * from another run of the gateway never collide with this run's (a client dedupes by id).
 */
export function createMemoryEventLog(epoch = Math.random().toString(36).slice(2, 8)): EventLog {
  const events: SessionEventMessage[] = [];
  // Sequence number of events[0]; events before it were forgotten.
  let firstSequence = 1;
  let sequence = 0;
  let status: SessionStatus | undefined;
  const prefix = `${epoch}.`;

  const sequenceOf = (id: string): number | undefined => {
    if (!id.startsWith(prefix)) return undefined;
    const n = Number(id.slice(prefix.length));
    return Number.isInteger(n) && n >= 0 && n <= sequence ? n : undefined;
  };

  return {
    append(frame) {
      sequence++;
      const event = { ...frame, id: `${prefix}${sequence}` } as SessionEventMessage;
      events.push(event);
      if (event.type === 'status_change') status = event.status;
      return event;
    },
    after(lastEventId) {
      if (lastEventId === '') return { events: events.slice(), found: true };
      const n = sequenceOf(lastEventId);
      if (n === undefined) return { events: events.slice(), found: false };
      return { events: events.slice(Math.max(0, n + 1 - firstSequence)), found: n + 1 >= firstSequence };
    },
    get status() {
      return status;
    },
    forget() {
      events.length = 0;
      firstSequence = sequence + 1;
    },
    get size() {
      return events.length;
    },
  };
}
