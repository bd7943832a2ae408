import type {
  AgentStreamEvent,
  CommandFrame,
  SessionEventMessage,
  SessionStatus,
  ToolDescriptor,
} from '../src/protocol/types.js';
import type { DistributiveOmit, EventLog, Replay } from './eventLog.js';

/** What an agent can do with its session. */
export interface AgentContext {
  readonly chatKey: string;
  /** Aborted when the user interrupts. */
  readonly signal: AbortSignal;
  /** Streams one agent event (`agent_event`). */
  emit(event: AgentStreamEvent): void;
  /** Changes the session status (`status_change`). */
  setStatus(status: SessionStatus): void;
  /** Asks the user to approve a tool call; resolves with the decision. */
  requestToolConfirmation(toolCallId: string, tool: ToolDescriptor): Promise<boolean>;
  /** Asks the user for input; resolves with the answer. */
  requestInput(prompt: string): Promise<string>;
  /** Reports a session-level error event (`error`). */
  error(code: string, message: string): void;
  /** Waits, unless the user interrupts first (then rejects). */
  sleep(ms: number): Promise<void>;
}

/** An agent run: returns the session summary when done. */
export type Agent = (context: AgentContext) => Promise<string | undefined>;

/** What became of a command the gateway received. */
export type CommandOutcome = 'applied' | 'duplicate' | 'ignored';

/** A command that changed the session, for tests that check "applied exactly once". */
export interface AppliedCommand {
  commandId: string | undefined;
  frame: CommandFrame;
}

/** Receives each new session event, already encoded once for every socket. */
export type Subscriber = (event: SessionEventMessage, encoded: string) => void;

/** Thrown into the agent's pending waits when the user interrupts. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
}

const COMMAND_ID_MEMORY = 10_000;

/**
 * One session per chatKey: its event log, the sockets following it, the agent run and the commands
 * it has applied. Every command is idempotent: a confirmation for an unknown or already answered
 * tool call, an answer to an unknown request, a repeated commandId, or an interrupt after the end
 * change nothing.
 */
export class GatewaySession {
  readonly applied: AppliedCommand[] = [];
  readonly #subscribers = new Set<Subscriber>();
  readonly #confirmations = new Map<string, (approved: boolean) => void>();
  readonly #inputs = new Map<string, (content: string) => void>();
  readonly #commandIds = new Set<string>();
  readonly #abort = new AbortController();
  #requestCount = 0;
  #phase: 'idle' | 'running' | 'ended' = 'idle';

  constructor(
    readonly chatKey: string,
    readonly log: EventLog,
  ) {}

  /** The last status published (kept across hibernation). */
  get status(): SessionStatus | undefined {
    return this.log.status;
  }

  /** Whether the session has ended (`session_complete` was published). */
  get ended(): boolean {
    return this.#phase === 'ended';
  }

  /** Sockets currently following the session live. */
  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** Starts the agent once; later calls do nothing. */
  start(agent: Agent | undefined): void {
    if (this.#phase !== 'idle' || agent === undefined) return;
    this.#phase = 'running';
    agent(this.#context()).then(
      (summary) => this.#finish('completed', summary),
      (error: unknown) => {
        if (error instanceof InterruptedError || this.#abort.signal.aborted) {
          return this.#finish('interrupted', 'Interrupted by the user');
        }
        this.publish({
          type: 'error',
          code: 'agent_failed',
          message: error instanceof Error ? error.message : 'Agent failed',
        });
        this.#finish('error', 'The agent failed');
      },
    );
  }

  /** Appends an event to the log and sends it to every live socket. */
  publish(frame: DistributiveOmit<SessionEventMessage, 'id'>): SessionEventMessage {
    const event = this.log.append(frame);
    const encoded = JSON.stringify(event);
    for (const subscriber of this.#subscribers) subscriber(event, encoded);
    return event;
  }

  /** Events after `lastEventId`, for a socket's resume. */
  replay(lastEventId: string): Replay {
    return this.log.after(lastEventId);
  }

  /** Follows the session live; returns the unsubscribe function. */
  subscribe(subscriber: Subscriber): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  /** Applies a user command, at most once per commandId and per tool call or input request. */
  apply(frame: CommandFrame): CommandOutcome {
    if (frame.commandId !== undefined && this.#commandIds.has(frame.commandId)) return 'duplicate';
    const outcome = this.#applyOnce(frame);
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

  #applyOnce(frame: CommandFrame): CommandOutcome {
    switch (frame.type) {
      case 'tool_confirmation': {
        const resolve = this.#confirmations.get(frame.toolCallId);
        if (resolve === undefined) return 'ignored';
        this.#confirmations.delete(frame.toolCallId);
        resolve(frame.approved);
        return 'applied';
      }
      case 'user_input': {
        const resolve = this.#inputs.get(frame.requestId);
        if (resolve === undefined) return 'ignored';
        this.#inputs.delete(frame.requestId);
        resolve(frame.content);
        return 'applied';
      }
      case 'interrupt':
        if (this.#phase !== 'running' || this.#abort.signal.aborted) return 'ignored';
        this.#abort.abort(new InterruptedError('Interrupted by the user'));
        return 'applied';
    }
  }

  #rememberCommandId(commandId: string): void {
    this.#commandIds.add(commandId);
    // Bounded memory: a retry arrives right after a reconnect, long before 10 000 newer commands.
    if (this.#commandIds.size > COMMAND_ID_MEMORY) {
      this.#commandIds.delete(this.#commandIds.values().next().value as string);
    }
  }

  #finish(status: SessionStatus, summary: string | undefined): void {
    if (this.#phase === 'ended') return;
    this.#phase = 'ended';
    this.#confirmations.clear();
    this.#inputs.clear();
    this.publish({ type: 'status_change', status });
    this.publish(
      summary === undefined ? { type: 'session_complete' } : { type: 'session_complete', summary },
    );
  }

  #context(): AgentContext {
    const signal = this.#abort.signal;
    // Each wait listens for the interrupt only while it is pending, so a long run does not pile up listeners.
    const whenInterrupted = <T>(register: (resolve: (value: T) => void) => (() => void) | undefined) =>
      new Promise<T>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        const onAbort = () => {
          cleanup?.();
          reject(signal.reason);
        };
        const cleanup = register((value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        });
        signal.addEventListener('abort', onAbort, { once: true });
      });
    return {
      chatKey: this.chatKey,
      signal,
      emit: (event) => {
        if (!signal.aborted) this.publish({ type: 'agent_event', event });
      },
      setStatus: (status) => {
        if (!signal.aborted && this.status !== status) this.publish({ type: 'status_change', status });
      },
      error: (code, message) => {
        this.publish({ type: 'error', code, message });
      },
      requestToolConfirmation: (toolCallId, tool) =>
        whenInterrupted<boolean>((resolve) => {
          this.#confirmations.set(toolCallId, resolve);
          this.publish({ type: 'status_change', status: 'waiting_confirmation' });
          this.publish({ type: 'tool_confirmation_request', toolCallId, tool });
          return undefined;
        }),
      requestInput: (prompt) =>
        whenInterrupted<string>((resolve) => {
          const requestId = `input-${++this.#requestCount}`;
          this.#inputs.set(requestId, resolve);
          this.publish({ type: 'status_change', status: 'waiting_input' });
          this.publish({ type: 'input_request', requestId, prompt });
          return undefined;
        }),
      sleep: (ms) =>
        whenInterrupted<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          return () => clearTimeout(timer);
        }),
    };
  }
}
