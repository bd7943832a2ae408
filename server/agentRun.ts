import type {
  AgentStreamEvent,
  CommandFrame,
  SessionEventMessage,
  SessionStatus,
  ToolDescriptor,
  ToolResultFrame,
  UnknownAgentStreamEvent,
} from '../src/protocol/types.js';
import type { DistributiveOmit } from './eventLog.js';

/** What an agent can do with its session. */
export interface AgentContext {
  readonly chatKey: string;
  /** The prompt the run was started with (`POST /runs`); `undefined` when the first socket started it. */
  readonly prompt: string | undefined;
  /** Aborted when the user interrupts. */
  readonly signal: AbortSignal;
  /** Streams one agent event (`agent_event`); a kind this version does not define is sent as given. */
  emit(event: AgentStreamEvent | UnknownAgentStreamEvent): void;
  /** Changes the session status (`status_change`). */
  setStatus(status: SessionStatus): void;
  /** Asks the user to approve a tool call; resolves with the decision. */
  requestToolConfirmation(toolCallId: string, tool: ToolDescriptor): Promise<boolean>;
  /** Asks the user for input; resolves with the answer. */
  requestInput(prompt: string): Promise<string>;
  /**
   * Waits for the client's `tool_result` for a tool the agent asked it to run (LobeHub's
   * `tool_execute`, which the agent emits itself).
   */
  awaitToolResult(toolCallId: string): Promise<ToolResultFrame>;
  /** Reports a session-level error event (`error`). */
  error(code: string, message: string): void;
  /** Waits, unless the user interrupts first (then rejects). */
  sleep(ms: number): Promise<void>;
}

/** An agent run: returns the session summary when done. */
export type Agent = (context: AgentContext) => Promise<string | undefined>;

/** What became of a command the gateway received. */
export type CommandOutcome = 'applied' | 'duplicate' | 'ignored';

/** Thrown into the agent's pending waits when the user interrupts. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
}

/** Where an agent run writes: the in-memory session of the Node gateway, or a remote one. */
export interface AgentRunHost {
  readonly chatKey: string;
  /** The session's current status (`setStatus` publishes only a change). */
  readonly status: SessionStatus | undefined;
  /** Appends an event to the session, in order. */
  publish(frame: DistributiveOmit<SessionEventMessage, 'id'>): void;
}

/**
 * One run of an agent on a session: the context it sees, the tool calls and input requests it
 * waits on, and its end (`status_change` then `session_complete`, exactly once). Commands reach it
 * through {@link AgentRun.apply}; the host decides where its events go.
 */
export class AgentRun {
  readonly #confirmations = new Map<string, (approved: boolean) => void>();
  readonly #inputs = new Map<string, (content: string) => void>();
  readonly #toolResults = new Map<string, (result: ToolResultFrame) => void>();
  readonly #abort = new AbortController();
  #requestCount = 0;
  #phase: 'idle' | 'running' | 'ended' = 'idle';
  #stopped = false;

  constructor(readonly host: AgentRunHost) {}

  /** Whether the run has ended (`session_complete` was published). */
  get ended(): boolean {
    return this.#phase === 'ended' && !this.#stopped;
  }

  /** Starts the agent once, with the prompt it answers (if any); later calls do nothing. */
  start(agent: Agent | undefined, prompt?: string): void {
    if (this.#phase !== 'idle' || agent === undefined) return;
    this.#phase = 'running';
    agent(this.#context(prompt)).then(
      (summary) => this.#finish('completed', summary),
      (error: unknown) => {
        if (this.#phase === 'ended') return;
        if (error instanceof InterruptedError || this.#abort.signal.aborted) {
          return this.#finish('interrupted', 'Interrupted by the user');
        }
        this.host.publish({
          type: 'error',
          code: 'agent_failed',
          message: error instanceof Error ? error.message : 'Agent failed',
        });
        this.#finish('error', 'The agent failed');
      },
    );
  }

  /**
   * Abandons the run without ending the session (the gateway evicted it): the agent's pending waits
   * reject, and nothing more it emits is published.
   */
  stop(): void {
    if (this.#phase === 'ended') return;
    this.#phase = 'ended';
    this.#stopped = true;
    this.#confirmations.clear();
    this.#inputs.clear();
    this.#toolResults.clear();
    this.#abort.abort(new InterruptedError('The session was evicted'));
  }

  /** Hands a user command to the run: `applied` when it answered a pending wait or interrupted, else `ignored`. */
  apply(frame: CommandFrame): Exclude<CommandOutcome, 'duplicate'> {
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
      case 'tool_result': {
        const resolve = this.#toolResults.get(frame.toolCallId);
        if (resolve === undefined) return 'ignored';
        this.#toolResults.delete(frame.toolCallId);
        resolve(frame);
        return 'applied';
      }
      case 'interrupt':
        if (this.#phase !== 'running' || this.#abort.signal.aborted) return 'ignored';
        this.#abort.abort(new InterruptedError('Interrupted by the user'));
        return 'applied';
    }
  }

  #finish(status: SessionStatus, summary: string | undefined): void {
    if (this.#phase === 'ended') return;
    this.#phase = 'ended';
    this.#confirmations.clear();
    this.#inputs.clear();
    this.#toolResults.clear();
    this.host.publish({ type: 'status_change', status });
    this.host.publish(
      summary === undefined ? { type: 'session_complete' } : { type: 'session_complete', summary },
    );
  }

  #context(prompt: string | undefined): AgentContext {
    const signal = this.#abort.signal;
    // After `stop` the session is gone: whatever the agent still does goes nowhere.
    const target = this.host;
    const host: AgentRunHost = {
      chatKey: target.chatKey,
      get status() {
        return target.status;
      },
      publish: (frame) => {
        if (!this.#stopped) target.publish(frame);
      },
    };
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
      chatKey: host.chatKey,
      prompt,
      signal,
      emit: (event) => {
        // Unknown kinds travel as sent: clients deliver them as they are (forward compatibility).
        if (!signal.aborted) host.publish({ type: 'agent_event', event: event as AgentStreamEvent });
      },
      setStatus: (status) => {
        if (!signal.aborted && host.status !== status) host.publish({ type: 'status_change', status });
      },
      error: (code, message) => {
        host.publish({ type: 'error', code, message });
      },
      requestToolConfirmation: (toolCallId, tool) =>
        whenInterrupted<boolean>((resolve) => {
          this.#confirmations.set(toolCallId, resolve);
          host.publish({ type: 'status_change', status: 'waiting_confirmation' });
          host.publish({ type: 'tool_confirmation_request', toolCallId, tool });
          return undefined;
        }),
      requestInput: (prompt) =>
        whenInterrupted<string>((resolve) => {
          const requestId = `input-${++this.#requestCount}`;
          this.#inputs.set(requestId, resolve);
          host.publish({ type: 'status_change', status: 'waiting_input' });
          host.publish({ type: 'input_request', requestId, prompt });
          return undefined;
        }),
      awaitToolResult: (toolCallId) =>
        whenInterrupted<ToolResultFrame>((resolve) => {
          this.#toolResults.set(toolCallId, resolve);
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
