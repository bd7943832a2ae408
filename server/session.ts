import type { CommandFrame, SessionEventMessage, SessionStatus } from '../src/protocol/types.js';
import { type Agent, AgentRun, type CommandOutcome } from './agentRun.js';
import type { DistributiveOmit, EventLog, PublishedFrame, Replay } from './eventLog.js';

export { type Agent, type AgentContext, type CommandOutcome, InterruptedError } from './agentRun.js';

/** A command that changed the session, for tests that check "applied exactly once". */
export interface AppliedCommand {
  commandId: string | undefined;
  frame: CommandFrame;
}

/** A command frame a socket sent, whatever became of it, for tests that check "received at most once". */
export interface ReceivedCommand {
  /** The frame as it arrived (with its `commandId`, if the client sent one). */
  frame: CommandFrame;
  /** When it arrived at the socket, ms since the epoch. */
  at: number;
}

/** Receives each new session event, already encoded once for every socket. */
export type Subscriber = (event: SessionEventMessage, encoded: string) => void;

const COMMAND_ID_MEMORY = 10_000;
// Bounded like the commandId memory: a test reads it long before 10 000 newer commands arrive.
const RECEIVED_MEMORY = 10_000;

/**
 * One session per chatKey: its event log, the sockets following it, the agent run and the commands
 * it has applied. Every command is idempotent: a confirmation for an unknown or already answered
 * tool call, an answer to an unknown request, a repeated commandId, or an interrupt after the end
 * change nothing.
 */
export class GatewaySession {
  readonly applied: AppliedCommand[] = [];
  readonly #received: ReceivedCommand[] = [];
  readonly #subscribers = new Set<Subscriber>();
  readonly #commandIds = new Set<string>();
  readonly #run: AgentRun;
  #lastActivityAt: number;
  #evicted = false;

  /**
   * @param shape turns each published frame into the frames the dialect sends (LobeHub's event shape); default as it is
   */
  constructor(
    readonly chatKey: string,
    readonly log: EventLog,
    private readonly now: () => number = Date.now,
    private readonly shape: (frame: PublishedFrame) => PublishedFrame[] = (frame) => [frame],
  ) {
    this.#lastActivityAt = now();
    this.#run = new AgentRun({
      chatKey,
      get status() {
        return log.status;
      },
      publish: (frame) => void this.publish(frame),
    });
  }

  /** The last status published (kept across hibernation). */
  get status(): SessionStatus | undefined {
    return this.log.status;
  }

  /** Whether the session has ended (`session_complete` was published). */
  get ended(): boolean {
    return this.#run.ended;
  }

  /** Whether the gateway evicted the session (no socket for `sessionTtlMs`): it takes no more events. */
  get evicted(): boolean {
    return this.#evicted;
  }

  /** When the last event was published, or the session created, ms since the epoch. */
  get lastActivityAt(): number {
    return this.#lastActivityAt;
  }

  /** Every command frame a socket sent to this session, in arrival order (the latest 10 000). */
  get received(): readonly ReceivedCommand[] {
    return this.#received;
  }

  /** Sockets currently following the session live. */
  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** Starts the agent once, with the prompt it answers (if any); later calls do nothing. */
  start(agent: Agent | undefined, prompt?: string): void {
    if (!this.#evicted) this.#run.start(agent, prompt);
  }

  /**
   * Appends an event to the log and sends it, encoded once, to every live socket; returns it as logged
   * (the last one, when the dialect sends several for it).
   */
  publish(frame: DistributiveOmit<SessionEventMessage, 'id'>): SessionEventMessage {
    let last: SessionEventMessage | undefined;
    for (const shaped of this.shape(frame)) {
      const { event, encoded } = this.log.append(shaped);
      for (const subscriber of this.#subscribers) subscriber(event, encoded);
      last = event;
    }
    this.#lastActivityAt = this.now();
    return last as SessionEventMessage;
  }

  /** Events after `lastEventId`, decoded (a socket's resume reads the log in pages instead). */
  replay(lastEventId: string): Replay {
    return this.log.after(lastEventId);
  }

  /** Follows the session live; returns the unsubscribe function. */
  subscribe(subscriber: Subscriber): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  /** Notes a command frame as it arrived from a socket, before anything is decided about it. */
  receive(frame: CommandFrame, at: number = this.now()): void {
    this.#received.push({ frame, at });
    if (this.#received.length > RECEIVED_MEMORY) this.#received.shift();
  }

  /** Applies a user command, at most once per commandId and per tool call or input request. */
  apply(frame: CommandFrame): CommandOutcome {
    if (frame.commandId !== undefined && this.#commandIds.has(frame.commandId)) return 'duplicate';
    const outcome = this.#run.apply(frame);
    if (outcome === 'applied') {
      this.applied.push({ commandId: frame.commandId, frame });
      if (frame.commandId !== undefined) this.#rememberCommandId(frame.commandId);
    }
    return outcome;
  }

  /** Forgets the replay buffer but keeps the status and the id sequence (a hibernated server). */
  hibernate(): void {
    this.log.forget();
  }

  /** Stops the agent and every follower: the gateway dropped this session. */
  evict(): void {
    this.#evicted = true;
    this.#run.stop();
    this.#subscribers.clear();
  }

  #rememberCommandId(commandId: string): void {
    this.#commandIds.add(commandId);
    // Bounded memory: a retry arrives right after a reconnect, long before 10 000 newer commands.
    if (this.#commandIds.size > COMMAND_ID_MEMORY) {
      this.#commandIds.delete(this.#commandIds.values().next().value as string);
    }
  }
}
