import type { CommandFrame, SessionEventMessage, SessionStatus } from '../../src/protocol/types.js';
import type { GatewayLimits } from '../core/limits.js';
import type { AppendFrame, RecordedCommand } from './api.js';

/** What became of a command: the same outcomes as the Node gateway's `GatewaySession.apply`. */
export type CommandOutcome = 'applied' | 'duplicate' | 'ignored';

/** Thrown by an append after `session_complete`: nothing follows the end of a session. */
export class SessionEndedError extends Error {
  override readonly name = 'SessionEndedError';
}

/** A stored event and its encoding, sent as is to every socket. */
export interface StoredEvent {
  event: SessionEventMessage;
  encoded: string;
}

// `events.body` is the exact frame sent to clients, so a replay sends stored text without re-encoding.
// `pending` holds the tool calls and input requests the agent waits on: a command answers one once.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, body TEXT NOT NULL, at INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS pending (kind TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (kind, key));
CREATE TABLE IF NOT EXISTS commands (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  command_id TEXT UNIQUE,
  body TEXT NOT NULL,
  applied_at INTEGER NOT NULL
);`;

// A replay reads this many rows at a time: never the whole log at once.
const PAGE_ROWS = 256;
// Rows aged out per trim at most; the next append or resume goes on.
const AGE_SCAN_ROWS = 1_024;

interface Meta {
  epoch?: string;
  status?: SessionStatus;
  ended?: string;
  interrupted?: string;
  /** Highest seq dropped by the log limits (`0`: none). */
  dropped?: string;
  /** Characters of the events kept (absent in a store of an older version: counted at load). */
  bytes?: string;
  /** Last append, or last socket leaving: the session TTL counts from it. Ms since the epoch. */
  activeAt?: string;
}

/** Whether the object has ever created its tables (nothing is stored before a socket authenticates). */
export function hasStore(storage: DurableObjectStorage): boolean {
  return (
    storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").toArray().length >
    0
  );
}

/**
 * A session's durable state in the Durable Object's SQLite storage: the event log (ids
 * `<epoch>.<seq>`, increasing; the epoch is random per stored session, so ids of a recreated session
 * never match an old client's), bounded by `maxLogEvents`, `maxLogAgeMs` and `maxLogBytes`; the status; the open tool
 * calls and input requests; every applied command. It survives hibernation; in-memory copies are
 * only caches. Creating it creates the tables.
 */
export class SessionStore {
  readonly #storage: DurableObjectStorage;
  readonly #limits: Pick<GatewayLimits, 'maxLogEvents' | 'maxLogAgeMs' | 'maxLogBytes'>;
  #meta: Meta = {};
  #lastSeq = 0;

  constructor(
    storage: DurableObjectStorage,
    limits: Pick<GatewayLimits, 'maxLogEvents' | 'maxLogAgeMs' | 'maxLogBytes'>,
  ) {
    this.#storage = storage;
    this.#limits = limits;
    storage.sql.exec(SCHEMA);
    const columns = this.#sql<{ name: string }>('PRAGMA table_info(events)').toArray();
    // Tables of an older version have no `at`: their events count as old.
    if (!columns.some(({ name }) => name === 'at'))
      this.#sql('ALTER TABLE events ADD COLUMN at INTEGER NOT NULL DEFAULT 0');
    this.#load();
  }

  /** The last status appended (`undefined` before the first `status_change`). */
  get status(): SessionStatus | undefined {
    return this.#meta.status;
  }

  /** Whether `session_complete` was appended. */
  get ended(): boolean {
    return this.#meta.ended === '1';
  }

  /** Number of events kept. */
  get eventCount(): number {
    return this.#lastSeq - this.#dropped;
  }

  /** Id of the last event, if any. */
  get lastEventId(): string | undefined {
    return this.#meta.epoch === undefined || this.#lastSeq === 0 ? undefined : this.#idOf(this.#lastSeq);
  }

  /** Seq of the last applied command (`0`: none). */
  get lastCommandSeq(): number {
    return this.#sql<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM commands').one().seq ?? 0;
  }

  /** When the session was last active (an append, or its last socket leaving). */
  get activeAt(): number {
    return Number(this.#meta.activeAt ?? 0);
  }

  /** Marks the session active now (its last socket left). */
  touch(now: number): void {
    this.#setMeta('activeAt', String(now));
  }

  /** Stores frames in one transaction, assigning ids, drops what the limits no longer keep, and returns them encoded (none after the end). */
  append(frames: readonly AppendFrame[], now: number): StoredEvent[] {
    try {
      return this.#storage.transactionSync(() => {
        const stored = frames.map((frame) => this.#appendOne(frame, now));
        this.#trim(now);
        this.#setMeta('activeAt', String(now));
        return stored;
      });
    } catch (error) {
      this.#load(); // the transaction rolled back: drop the cached values it had changed
      throw error;
    }
  }

  /**
   * Sends every kept event after `lastEventId` (`""`: from the start), a page of rows at a time;
   * returns `false` when some were no longer kept or the id is unknown (history lost).
   */
  replay(lastEventId: string, send: (encoded: string) => void, now: number): boolean {
    this.#trim(now);
    const seq = lastEventId === '' ? 0 : this.#seqOf(lastEventId);
    const recovered = seq !== undefined && seq >= this.#dropped;
    let position = seq === undefined ? this.#dropped : Math.max(seq, this.#dropped);
    for (;;) {
      const rows = this.#sql<{ seq: number; body: string }>(
        'SELECT seq, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
        position,
        PAGE_ROWS,
      ).toArray();
      for (const row of rows) send(row.body);
      const last = rows.at(-1);
      if (last === undefined) return recovered;
      position = last.seq;
    }
  }

  /** Every kept event, decoded. */
  events(): SessionEventMessage[] {
    const events: SessionEventMessage[] = [];
    this.replay('', (body) => events.push(JSON.parse(body) as SessionEventMessage), Date.now());
    return events;
  }

  /** Applies a user command at most once per commandId and per tool call or input request. */
  applyCommand(frame: CommandFrame, now: number): CommandOutcome {
    const { commandId } = frame;
    if (
      commandId !== undefined &&
      this.#sql('SELECT 1 FROM commands WHERE command_id = ?', commandId).toArray().length
    )
      return 'duplicate';
    return this.#storage.transactionSync(() => {
      if (!this.#answers(frame)) return 'ignored';
      this.#sql(
        'INSERT INTO commands (command_id, body, applied_at) VALUES (?, ?, ?)',
        commandId ?? null,
        JSON.stringify(frame),
        now,
      );
      return 'applied';
    });
  }

  /** Applied commands after `seq`, oldest first (at most `limit`). */
  commandsAfter(seq: number, limit = 1_000): RecordedCommand[] {
    return this.#sql<{ seq: number; body: string }>(
      'SELECT seq, body FROM commands WHERE seq > ? ORDER BY seq LIMIT ?',
      seq,
      limit,
    )
      .toArray()
      .map((row) => ({ seq: row.seq, frame: JSON.parse(row.body) as CommandFrame }));
  }

  get #dropped(): number {
    return Number(this.#meta.dropped ?? 0);
  }

  get #bytes(): number {
    return Number(this.#meta.bytes ?? 0);
  }

  #appendOne(frame: AppendFrame, now: number): StoredEvent {
    if (this.ended) throw new SessionEndedError('The session has ended');
    if (this.#meta.epoch === undefined) this.#setMeta('epoch', crypto.randomUUID().slice(0, 8));
    const seq = ++this.#lastSeq;
    const event = { ...frame, id: this.#idOf(seq) } as SessionEventMessage;
    const encoded = JSON.stringify(event);
    this.#sql('INSERT INTO events (seq, body, at) VALUES (?, ?, ?)', seq, encoded, now);
    this.#setMeta('bytes', String(this.#bytes + encoded.length));
    switch (event.type) {
      case 'status_change':
        this.#setMeta('status', event.status);
        break;
      case 'tool_confirmation_request':
        this.#sql("INSERT OR IGNORE INTO pending (kind, key) VALUES ('tool', ?)", event.toolCallId);
        break;
      case 'input_request':
        this.#sql("INSERT OR IGNORE INTO pending (kind, key) VALUES ('input', ?)", event.requestId);
        break;
      case 'session_complete':
        this.#setMeta('ended', '1');
        this.#sql('DELETE FROM pending');
        break;
    }
    return { event, encoded };
  }

  // Drops events beyond the count and older than the age limit; seqs are contiguous (and their
  // times never decrease), so the highest dropped seq says what a resume can no longer get.
  #trim(now: number): void {
    const cutoff = now - this.#limits.maxLogAgeMs;
    const byCount = this.#lastSeq - this.#limits.maxLogEvents;
    if (byCount > this.#dropped) this.#dropThrough(byCount);
    this.#trimBytes();
    for (;;) {
      const oldest = this.#sql<{ at: number }>('SELECT at FROM events ORDER BY seq LIMIT 1').toArray()[0];
      if (oldest === undefined || oldest.at > cutoff) return;
      // Only the oldest rows are looked at (the rest are younger): no scan of the whole log.
      const aged = this.#sql<{ seq: number | null }>(
        'SELECT MAX(seq) AS seq FROM (SELECT seq, at FROM events ORDER BY seq LIMIT ?) WHERE at <= ?',
        AGE_SCAN_ROWS,
        cutoff,
      ).one().seq;
      if (aged === null) return;
      this.#dropThrough(aged);
    }
  }

  // The oldest rows first, a page at a time, until what is left fits.
  #trimBytes(): void {
    let excess = this.#bytes - this.#limits.maxLogBytes;
    while (excess > 0) {
      const rows = this.#sql<{ seq: number; size: number }>(
        'SELECT seq, length(body) AS size FROM events ORDER BY seq LIMIT ?',
        AGE_SCAN_ROWS,
      ).toArray();
      if (rows.length === 0) return;
      let through = 0;
      for (const { seq, size } of rows) {
        through = seq;
        excess -= size;
        if (excess <= 0) break;
      }
      this.#dropThrough(through);
    }
  }

  #dropThrough(seq: number): void {
    const { size } = this.#sql<{ size: number | null }>(
      'SELECT SUM(length(body)) AS size FROM events WHERE seq <= ?',
      seq,
    ).one();
    this.#setMeta('bytes', String(this.#bytes - (size ?? 0)));
    this.#sql('DELETE FROM events WHERE seq <= ?', seq);
    this.#setMeta('dropped', String(seq));
  }

  // Whether a command answers something the session waits for (and marks it answered).
  #answers(frame: CommandFrame): boolean {
    switch (frame.type) {
      case 'tool_confirmation':
        return this.#take('tool', frame.toolCallId);
      case 'user_input':
        return this.#take('input', frame.requestId);
      case 'tool_result':
        // Only LobeHub's dialect asks a client to run a tool; this engine plays the other two.
        return false;
      case 'interrupt':
        // Once, while the session runs: it started (an event was appended) and has not ended.
        if (this.#lastSeq === 0 || this.ended || this.#meta.interrupted === '1') return false;
        this.#setMeta('interrupted', '1');
        this.#sql('DELETE FROM pending');
        return true;
    }
  }

  #take(kind: 'tool' | 'input', key: string): boolean {
    return (
      this.#sql('DELETE FROM pending WHERE kind = ? AND key = ? RETURNING key', kind, key).toArray().length >
      0
    );
  }

  #idOf(seq: number): string {
    return `${this.#meta.epoch ?? ''}.${seq}`;
  }

  #seqOf(id: string): number | undefined {
    const prefix = `${this.#meta.epoch ?? ''}.`;
    if (this.#meta.epoch === undefined || !id.startsWith(prefix)) return undefined;
    const seq = Number(id.slice(prefix.length));
    return Number.isInteger(seq) && seq >= 0 && seq <= this.#lastSeq ? seq : undefined;
  }

  #setMeta<K extends keyof Meta>(key: K, value: NonNullable<Meta[K]>): void {
    this.#sql('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', key, value);
    this.#meta = { ...this.#meta, [key]: value };
  }

  #load(): void {
    const rows = this.#sql<{ key: string; value: string }>('SELECT key, value FROM meta').toArray();
    this.#meta = Object.fromEntries(rows.map((row) => [row.key, row.value])) as Meta;
    const stored = this.#sql<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM events').one().seq ?? 0;
    this.#lastSeq = Math.max(stored, this.#dropped);
    if (this.#meta.bytes === undefined) {
      const { size } = this.#sql<{ size: number | null }>(
        'SELECT SUM(length(body)) AS size FROM events',
      ).one();
      this.#meta.bytes = String(size ?? 0);
    }
  }

  #sql<T extends Record<string, SqlStorageValue>>(
    query: string,
    ...bindings: unknown[]
  ): SqlStorageCursor<T> {
    return this.#storage.sql.exec<T>(query, ...bindings);
  }
}
