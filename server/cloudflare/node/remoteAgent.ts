import type { SessionStatus } from '../../../src/protocol/types.js';
import { type Agent, AgentRun } from '../../agentRun.js';
import type { AppendFrame } from '../api.js';
import type { RuntimeSessionClient } from './runtimeClient.js';

/** Options of {@link runRemoteAgent}. */
export interface RemoteAgentOptions {
  /** The session to run on (from `createRuntimeClient(…).session(chatKey)`). Required. */
  session: RuntimeSessionClient;
  /** The agent, written against `AgentContext` like for the Node gateway (e.g. `createDemoAgent()`). Required. */
  agent: Agent;
  /** Abandons the run: stops reading commands and resolves. Default: none. */
  signal?: AbortSignal;
  /** How long each commands request waits for a command (long poll). Default 20 000 ms. */
  pollWaitMs?: number;
  /** Most events per append request. Default 500. */
  maxBatch?: number;
}

/**
 * Runs an agent on a session of the Cloudflare gateway over its runtime API: the same agent run
 * (`AgentRun`) as the Node gateway's, with events appended in order (batched while the agent emits
 * synchronously) and the clients' commands read by long polling. Resolves once the session ended (or
 * was evicted: the agent is then stopped) and every event is stored; rejects if the API fails. A
 * session that already ended is left alone.
 *
 * @example
 * await runRemoteAgent({ session: runtime.session('chat-1'), agent: createDemoAgent() });
 */
export async function runRemoteAgent(options: RemoteAgentOptions): Promise<void> {
  const { session, agent, pollWaitMs = 20_000, maxBatch = 500 } = options;
  const initial = await session.state();
  if (initial.ended || options.signal?.aborted) return;

  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    failure ??= { error };
    stop.abort(error);
  };

  // Appends keep the agent's order: one request at a time, each carrying everything emitted meanwhile.
  const buffer: AppendFrame[] = [];
  let flushing: Promise<void> | undefined;
  const flush = async () => {
    await Promise.resolve(); // gather what the agent emits synchronously
    try {
      while (buffer.length > 0 && failure === undefined) await session.append(buffer.splice(0, maxBatch));
    } catch (error) {
      fail(error);
    }
    flushing = undefined;
  };

  let status: SessionStatus | undefined = initial.status ?? undefined;
  const run = new AgentRun({
    chatKey: session.chatKey,
    get status() {
      return status;
    },
    publish(frame) {
      if (frame.type === 'status_change') status = frame.status;
      buffer.push(frame);
      flushing ??= flush();
    },
  });
  run.start(agent);

  let after = initial.lastCommandSeq;
  try {
    while (!stop.signal.aborted) {
      const { commands, ended, evicted } = await session.commands(after, {
        waitMs: pollWaitMs,
        signal: stop.signal,
      });
      for (const { seq, frame } of commands) {
        after = seq;
        run.apply(frame);
      }
      if (evicted) run.stop();
      if (ended) break;
    }
  } catch (error) {
    if (!stop.signal.aborted) fail(error);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  await flushing;
  if (failure !== undefined) throw failure.error;
}
