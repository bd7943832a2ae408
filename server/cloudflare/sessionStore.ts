import type { CommandFrame, SessionEventMessage, SessionStatus } from '../../src/protocol/types.js';
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
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pending (kind TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (kind, key));
CREATE TABLE IF NOT EXISTS commands (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  command_id TEXT UNIQUE,
  body TEXT NOT NULL,
  applied_at INTEGER NOT NULL
);`;

interface Meta {
  epoch?: string;
  status?: SessionStatus;
  ended?: string;
  interrupted?: string;
}

/**
 * A session's durable state in the Durable Object's SQLite storage: the event log (ids
 * `<epoch>.<seq>`, increasing; the epoch is random per stored session, so ids of a recreated session
 * never match an old client's), the status, the open tool calls and input requests, and every
 * applied command. It survives hibernation; in-memory copies are only caches.
 */
export class SessionStore {
  readonly #storage: DurableObjectStorage;
  #meta: Meta = {};
  #lastSeq = 0;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    storage.sql.exec(SCHEMA);
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

  /** Number of events stored. */
  get eventCount(): number {
    return this.#lastSeq;
  }

  /** Id of the last event, if any. */
  get lastEventId(): string | undefined {
    return this.#meta.epoch === undefined || this.#lastSeq === 0 ? undefined : this.#idOf(this.#lastSeq);
  }

  /** Seq of the last applied command (`0`: none). */
  get lastCommandSeq(): number {
    return this.#sql<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM commands').one().seq ?? 0;
  }

  /** Stores frames in one transaction, assigning ids, and returns them encoded for the sockets (none after the end). */
  append(frames: readonly AppendFrame[]): StoredEvent[] {
    try {
      return this.#storage.transactionSync(() => frames.map((frame) => this.#appendOne(frame)));
    } catch (error) {
      this.#load(); // the transaction rolled back: drop the cached values it had changed
      throw error;
    }
  }

  /** Encoded events after `lastEventId` (`""`, or an id this session never issued: every event). */
  after(lastEventId: string): string[] {
    const seq = this.#seqOf(lastEventId) ?? 0;
    return this.#sql<{ body: string }>('SELECT body FROM events WHERE seq > ? ORDER BY seq', seq)
      .toArray()
      .map((row) => row.body);
  }

  /** Every stored event. */
  events(): SessionEventMessage[] {
    return this.after('').map((body) => JSON.parse(body) as SessionEventMessage);
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

  #appendOne(frame: AppendFrame): StoredEvent {
    if (this.ended) throw new SessionEndedError('The session has ended');
    if (this.#meta.epoch === undefined) this.#setMeta('epoch', crypto.randomUUID().slice(0, 8));
    const seq = ++this.#lastSeq;
    const event = { ...frame, id: this.#idOf(seq) } as SessionEventMessage;
    const encoded = JSON.stringify(event);
    this.#sql('INSERT INTO events (seq, body) VALUES (?, ?)', seq, encoded);
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

  // Whether a command answers something the session waits for (and marks it answered).
  #answers(frame: CommandFrame): boolean {
    switch (frame.type) {
      case 'tool_confirmation':
        return this.#take('tool', frame.toolCallId);
      case 'user_input':
        return this.#take('input', frame.requestId);
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
    this.#lastSeq = this.#sql<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM events').one().seq ?? 0;
  }

  #sql<T extends Record<string, SqlStorageValue>>(
    query: string,
    ...bindings: unknown[]
  ): SqlStorageCursor<T> {
    return this.#storage.sql.exec<T>(query, ...bindings);
  }
}
