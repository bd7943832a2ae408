import type { UIMessageChunk } from 'ai';
import type { AgentGatewayClient, ClientError } from '../index.js';
import { SessionChunks, type Wait } from './sessionChunks.js';

/** The answers a follow-up `sendMessages` carries, read from the assistant message. */
export interface Answers {
  approvals: Array<{ toolCallId: string; approved: boolean }>;
  inputs: Array<{ requestId: string; content: string }>;
}

/** Where a stream starts: the beginning (a replay) or where the last stream stopped (a continuation). */
export type StreamStart = 'replay' | 'continuation';

/**
 * One agent run followed for the AI SDK: its client (which does reconnects, resumes and exactly-once
 * commands), the run's chunk log, and the streams reading it. A stream writes `start`, the log from
 * its start, then live chunks, and finishes when the run ends, or when it has caught up while the run
 * waits on an answer nobody gave yet (`finish` with `tool-calls`). Each wait is answered at most once.
 */
export class RunFollower {
  readonly #log: SessionChunks;
  readonly #approvals = new Set<string>();
  readonly #answers = new Map<string, string>();
  readonly #wakers = new Set<() => void>();
  #caughtUp = false;
  #failure: Error | undefined;
  #lastError: ClientError | undefined;
  #endDelivered = false;
  #stoppedAt: number | undefined;
  #readers = 0;
  #disposed = false;

  constructor(
    readonly chatKey: string,
    readonly client: AgentGatewayClient,
    private readonly options: { inputToolName: string; interruptOnStop: boolean },
  ) {
    this.#log = new SessionChunks({
      chatKey,
      inputToolName: options.inputToolName,
      answerOf: (requestId) => this.#answers.get(requestId),
      ...(client.dialect.foldAgentEvent ? { foldAgentEvent: client.dialect.foldAgentEvent } : {}),
    });
    client.on('message', (frame) => {
      this.#log.add(frame);
      this.#wake();
    });
    client.on('history_lost', () => {
      this.#log.historyLost();
      this.#wake();
    });
    client.on('error', (error) => (this.#lastError = error));
    client.subscribe(() => this.#onConnection());
  }

  /** The message id the run's stream writes: the chatKey, the same in every replay. */
  get messageId(): string {
    return this.chatKey;
  }

  /** The run ended and a stream has told the app so: nothing is left to resume. */
  get finished(): boolean {
    return this.#log.ended && this.#endDelivered;
  }

  /** Hands the app's answers to the client, each wait at most once; returns how many were new. */
  forward(answers: Answers): number {
    let sent = 0;
    const open = new Set(this.#log.ended ? [] : this.#log.waits().map(waitKey));
    // Before the replay has caught up the follower cannot tell which waits are open; the gateway
    // ignores an answer to a settled one. Once the session ended, none is.
    const mayAnswer = (key: string) => !this.#knowsSession() || open.has(key);
    this.#attach();
    for (const { toolCallId, approved } of answers.approvals) {
      if (this.#approvals.has(toolCallId) || !mayAnswer(`approval:${toolCallId}`)) continue;
      this.#approvals.add(toolCallId);
      this.client.sendToolConfirmation(toolCallId, approved);
      sent++;
    }
    for (const { requestId, content } of answers.inputs) {
      if (this.#answers.has(requestId) || !mayAnswer(`input:${requestId}`)) continue;
      this.#answers.set(requestId, content);
      this.client.sendUserInput(requestId, content);
      sent++;
    }
    if (sent > 0) this.#wake();
    return sent;
  }

  /** Whether `answers` holds one this follower has not forwarded, for a wait still open (or not known yet). */
  hasNewAnswer(answers: Answers): boolean {
    const open = new Set(this.#openWaits().map(waitKey));
    const fresh = (key: string) => !this.#knowsSession() || open.has(key);
    return (
      answers.approvals.some(
        ({ toolCallId }) => !this.#approvals.has(toolCallId) && fresh(`approval:${toolCallId}`),
      ) ||
      answers.inputs.some(({ requestId }) => !this.#answers.has(requestId) && fresh(`input:${requestId}`))
    );
  }

  /** A stream of the run, from its beginning or from where the last stream stopped. */
  stream(start: StreamStart, signal: AbortSignal | undefined): ReadableStream<UIMessageChunk> {
    this.#attach();
    this.#readers++;
    let cursor: number | undefined = start === 'replay' ? 0 : undefined;
    let done = false;
    const finish = () => {
      if (done) return false;
      done = true;
      this.#readers--;
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = () => {
      if (!finish()) return;
      this.#stoppedAt = cursor;
      this.#stop();
      try {
        controller?.close();
      } catch {
        // Already closed by the consumer.
      }
    };
    let controller: ReadableStreamDefaultController<UIMessageChunk> | undefined;
    signal?.addEventListener('abort', onAbort, { once: true });
    return new ReadableStream<UIMessageChunk>(
      {
        start: (control) => {
          controller = control;
          control.enqueue({ type: 'start', messageId: this.messageId });
          if (signal?.aborted) onAbort();
        },
        pull: (control) =>
          new Promise<void>((resolve) => {
            const step = () => {
              if (done) return resolve();
              // A continuation picks up where the app's message stands; it can tell only once caught up.
              if (cursor === undefined && (this.#caughtUp || this.#log.ended || this.#disposed))
                cursor = this.#continueAt();
              const chunks = this.#log.chunks;
              if (cursor !== undefined && cursor < chunks.length) {
                while (cursor < chunks.length) control.enqueue(chunks[cursor++] as UIMessageChunk);
                return resolve();
              }
              if (cursor !== undefined && this.#log.ended) {
                // The app's message holds the whole run: a later follow-up continues from here.
                this.#stoppedAt = cursor;
                this.#endDelivered = true;
                finish();
                control.enqueue(this.#log.finalChunk());
                control.close();
                return resolve();
              }
              const failure = this.#disposed ? new Error('The transport was disposed') : this.#failure;
              if (failure !== undefined) {
                finish();
                control.error(failure);
                return resolve();
              }
              // Only once the replay is over: a wait the log shows mid-replay may be settled further on.
              if (cursor !== undefined && this.#caughtUp && this.#openWaits().length > 0) {
                this.#stoppedAt = cursor;
                finish();
                control.enqueue({ type: 'finish', finishReason: 'tool-calls' });
                control.close();
                return resolve();
              }
              this.#wakers.add(step);
            };
            step();
          }),
        cancel: () => onAbort(),
      },
      { highWaterMark: 0 },
    );
  }

  /** Stops following: the client is disposed and every stream ends. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.client.dispose();
    this.#wake();
  }

  #continueAt(): number {
    if (this.#stoppedAt !== undefined) return this.#stoppedAt;
    // No stream of this follower stopped yet (a page reload): the app's message ends at the wait it
    // answered, so go on from there.
    const after = [...this.#approvals]
      .map((toolCallId) => this.#log.positionAfter({ kind: 'approval', toolCallId }))
      .concat(
        [...this.#answers.keys()].map((requestId) => this.#log.positionAfter({ kind: 'input', requestId })),
      )
      .filter((position) => position !== undefined);
    return after.length > 0 ? Math.max(...after) : this.#log.chunks.length;
  }

  // The log holds the whole session so far: the first replay is over, or the session ended in it
  // (a finished session's replay ends the link without ever going live).
  #knowsSession(): boolean {
    return this.#caughtUp || this.#log.ended;
  }

  #openWaits(): Wait[] {
    if (this.#log.ended) return [];
    return this.#log
      .waits()
      .filter((wait) =>
        wait.kind === 'approval' ? !this.#approvals.has(wait.toolCallId) : !this.#answers.has(wait.requestId),
      );
  }

  // Detached by `stop()` or given up: follow again. A terminal failure (auth, a terminal close) stays.
  #attach(): void {
    if (this.#disposed) return;
    const { disconnectReason } = this.client.getSnapshot();
    if (disconnectReason === 'gaveUp') {
      this.#failure = undefined;
      this.client.reconnect();
    } else if (disconnectReason === 'idle' || disconnectReason === 'userDisconnect') {
      this.client.connect(this.chatKey);
    }
  }

  // `stop()` detaches (the agent goes on) unless asked to interrupt; other readers keep the link.
  #stop(): void {
    if (this.#log.ended || this.#disposed) return;
    if (this.options.interruptOnStop) this.client.sendInterrupt();
    else if (this.#readers === 0) this.client.disconnect();
  }

  #onConnection(): void {
    // The first replay is over (whatever the gateway's dialect): the log holds the run so far.
    if (
      !this.#caughtUp &&
      this.client.actor.getSnapshot().matches({ link: { connected: { replay: 'live' } } })
    ) {
      this.#caughtUp = true;
      this.#wake();
    }
    const snapshot = this.client.getSnapshot();
    const reason = snapshot.disconnectReason;
    if (
      reason === 'gaveUp' ||
      reason === 'authFailed' ||
      reason === 'terminalClose' ||
      reason === 'refused'
    ) {
      this.#failure =
        reason === 'authFailed'
          ? new Error(`The gateway refused the token: ${snapshot.authFailure ?? 'auth_failed'}`)
          : (this.#lastError ?? new Error(`The gateway link ended (${reason})`));
      this.#wake();
    }
  }

  #wake(): void {
    const wakers = [...this.#wakers];
    this.#wakers.clear();
    for (const wake of wakers) wake();
  }
}

const waitKey = (wait: Wait) =>
  wait.kind === 'approval' ? `approval:${wait.toolCallId}` : `input:${wait.requestId}`;
