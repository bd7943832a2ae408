import type { Agent } from './agentRun.js';
import { DeadlineTimer } from './deadlineTimer.js';
import type { EventLog, PublishedFrame } from './eventLog.js';
import { GatewaySession } from './session.js';

/** Options of {@link SessionRegistry}. */
export interface SessionRegistryOptions {
  /** The agent each new session runs. */
  agent: Agent | undefined;
  /** Makes the event log of a new session. */
  createEventLog: (chatKey: string) => EventLog;
  /** A session with no socket and no new event for this long is evicted. */
  sessionTtlMs: number;
  /** Sessions one token subject may open. */
  maxSessionsPerToken: number;
  /** Clock. Default `Date.now`. */
  now?: () => number;
  /** How a new session's published frames are sent (LobeHub's event shape). Default as they are. */
  shapeFrames?: (chatKey: string) => (frame: PublishedFrame) => PublishedFrame[];
}

interface Entry {
  session: GatewaySession;
  sockets: number;
  /** When the last socket left (or the session was opened). */
  idleSince: number;
  subjects: Set<string>;
  timer: DeadlineTimer;
}

/**
 * The Node gateway's sessions, one per chatKey, with bounded memory: a session with no socket and
 * no new event for `sessionTtlMs` is evicted (its agent stopped), and one token subject opens at
 * most `maxSessionsPerToken` sessions.
 */
export class SessionRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #bySubject = new Map<string, Set<string>>();
  readonly #now: () => number;
  #evictions = 0;

  constructor(private readonly options: SessionRegistryOptions) {
    this.#now = options.now ?? Date.now;
  }

  /** Sessions held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Sessions evicted so far. */
  get evictions(): number {
    return this.#evictions;
  }

  /** The session of a chatKey, if held. */
  get(chatKey: string): GatewaySession | undefined {
    return this.#entries.get(chatKey)?.session;
  }

  /** Finds or creates (and starts) a session. */
  open(chatKey: string): GatewaySession {
    return this.#entry(chatKey).session;
  }

  /**
   * The session for a socket authenticated as `subject`, or `undefined` if that subject holds too many
   * others. A session a socket opens starts its agent once that socket is attached (and follows it).
   */
  admit(chatKey: string, subject: string): GatewaySession | undefined {
    if (!this.#mayHold(subject, chatKey)) return undefined;
    return this.#hold(this.#entry(chatKey, undefined, false), subject, chatKey).session;
  }

  /**
   * Opens a new session whose agent answers `prompt` (the gateway's `POST /runs`): `exists` if the
   * chatKey already has one (its agent already started), `tooMany` if `subject` holds too many.
   */
  startRun(chatKey: string, subject: string, prompt: string): 'started' | 'exists' | 'tooMany' {
    if (this.#entries.has(chatKey)) return 'exists';
    if (!this.#mayHold(subject, chatKey)) return 'tooMany';
    this.#hold(this.#entry(chatKey, prompt), subject, chatKey);
    return 'started';
  }

  #mayHold(subject: string, chatKey: string): boolean {
    const chatKeys = this.#bySubject.get(subject);
    return chatKeys?.has(chatKey) === true || (chatKeys?.size ?? 0) < this.options.maxSessionsPerToken;
  }

  #hold(entry: Entry, subject: string, chatKey: string): Entry {
    let chatKeys = this.#bySubject.get(subject);
    if (chatKeys === undefined) this.#bySubject.set(subject, (chatKeys = new Set()));
    chatKeys.add(chatKey);
    entry.subjects.add(subject);
    return entry;
  }

  /**
   * Counts a socket on the session (no eviction meanwhile), and starts its agent if it has not
   * started: the socket already follows it, so even a client that asks for no replay (the original
   * protocol's first link) sees the run from its first event. Returns the function that uncounts it.
   */
  attach(chatKey: string): () => void {
    const entry = this.#entry(chatKey);
    entry.sockets++;
    entry.timer.clear();
    entry.session.start(this.options.agent);
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      entry.sockets--;
      if (entry.sockets === 0 && this.#entries.get(chatKey) === entry) {
        entry.idleSince = this.#now();
        this.#armEviction(entry);
      }
    };
  }

  /** Stops every session's agent and timer (the gateway is closing). */
  evictAll(): void {
    for (const chatKey of [...this.#entries.keys()]) this.#evict(chatKey);
  }

  #entry(chatKey: string, prompt?: string, start = true): Entry {
    let entry = this.#entries.get(chatKey);
    if (entry === undefined) {
      const session = new GatewaySession(
        chatKey,
        this.options.createEventLog(chatKey),
        this.#now,
        this.options.shapeFrames?.(chatKey),
      );
      entry = {
        session,
        sockets: 0,
        idleSince: this.#now(),
        subjects: new Set(),
        timer: new DeadlineTimer(() => this.#checkEviction(chatKey)),
      };
      this.#entries.set(chatKey, entry);
      this.#armEviction(entry);
      if (start) session.start(this.options.agent, prompt);
    }
    return entry;
  }

  #dueAt(entry: Entry): number {
    return Math.max(entry.idleSince, entry.session.lastActivityAt) + this.options.sessionTtlMs;
  }

  #armEviction(entry: Entry): void {
    entry.timer.arm(this.#dueAt(entry), this.#now());
  }

  #checkEviction(chatKey: string): void {
    const entry = this.#entries.get(chatKey);
    if (entry === undefined || entry.sockets > 0) return;
    // An event published meanwhile moved the due time: wait again.
    if (this.#now() < this.#dueAt(entry)) return this.#armEviction(entry);
    this.#evict(chatKey);
    this.#evictions++;
  }

  #evict(chatKey: string): void {
    const entry = this.#entries.get(chatKey);
    if (entry === undefined) return;
    this.#entries.delete(chatKey);
    entry.timer.clear();
    for (const subject of entry.subjects) {
      const chatKeys = this.#bySubject.get(subject);
      chatKeys?.delete(chatKey);
      if (chatKeys?.size === 0) this.#bySubject.delete(subject);
    }
    entry.session.evict();
  }
}
