import { type Actor, assertEvent, assign, createActor, type StateValue } from 'xstate';
import type { DisconnectReason } from '../machines/connection.machine.js';
import type { ConnectionStatus } from '../machines/connectionStatus.js';
import { sessionMachine } from '../machines/session.machine.js';
import { createSessionFold, type SessionView } from '../machines/session.view.js';
import type { AgentGatewayClient } from './client.js';
import type { AgentGatewayClientEvents, CommandReceipt } from './client.types.js';
import type { ClientError } from './errors.js';

/**
 * When subscribers hear about session changes: `'frame'` at most once per screen refresh
 * (`requestAnimationFrame`, or every 16 ms where there is none), a number of milliseconds, or
 * `'sync'` after every frame. Connection changes are always reported at once. Default `'frame'`.
 */
export type RenderBatch = 'frame' | 'sync' | number;

/** Everything a UI renders about a session: the connection and the folded conversation. */
export interface GatewayState {
  /** The public connection status. */
  status: ConnectionStatus;
  /** The connection machine's state value (for diagrams). */
  state: StateValue;
  /** Why the client is disconnected, while it is. */
  disconnectReason: DisconnectReason | undefined;
  /** The conversation so far (messages, tool calls, pending inputs, status). */
  session: SessionView;
  /** The last error the client reported, if any. */
  error: ClientError | undefined;
}

/** A framework-free store over one client: what framework adapters (the React hook) subscribe to. */
export interface GatewayStore {
  getSnapshot(): GatewayState;
  subscribe(listener: () => void): () => void;
  /** Approves or rejects a tool call through the client; unless refused, the view shows the answer at once. */
  confirmTool(toolCallId: string, approved: boolean): CommandReceipt;
  /** Answers an input request through the client; unless refused, the view drops the request at once. */
  submitInput(requestId: string, content: string): CommandReceipt;
  /** Asks the agent to stop, through the client. */
  interrupt(): CommandReceipt;
  /** Stops listening to the client and cancels a pending notification. */
  dispose(): void;
}

/** The session model for the client's dialect: LobeHub's agent events are folded by its own fold. */
function sessionMachineFor(client: AgentGatewayClient) {
  const foldEvent = client.dialect.foldAgentEvent;
  if (foldEvent === undefined) return sessionMachine;
  return sessionMachine.provide({
    actions: {
      foldFrame: assign(({ context, event }) => {
        assertEvent(event, 'server.message');
        return createSessionFold(foldEvent, client.getSnapshot().chatKey)(context, event.message);
      }),
    },
  });
}

/** Runs a callback later and returns its cancel function. */
type Schedule = (run: () => void) => () => void;

function createSchedule(batch: number | 'frame'): Schedule {
  const frame = (globalThis as { requestAnimationFrame?: (run: () => void) => number }).requestAnimationFrame;
  const cancelFrame = (globalThis as { cancelAnimationFrame?: (id: number) => void }).cancelAnimationFrame;
  if (batch === 'frame' && frame && cancelFrame) {
    return (run) => {
      const id = frame(run);
      return () => cancelFrame(id);
    };
  }
  const delay = batch === 'frame' ? 16 : batch;
  return (run) => {
    const id = setTimeout(run, delay);
    return () => clearTimeout(id);
  };
}

/**
 * Folds a client's session frames with the session machine and combines them with the connection
 * snapshot into one immutable {@link GatewayState}. A burst of 10 000 deltas causes one notification
 * per screen refresh, not 10 000.
 *
 * @example
 * const store = createGatewayStore(client);
 * const unsubscribe = store.subscribe(() => render(store.getSnapshot()));
 */
export function createGatewayStore(
  client: AgentGatewayClient,
  options: { renderBatch?: RenderBatch } = {},
): GatewayStore {
  const session: Actor<typeof sessionMachine> = createActor(sessionMachineFor(client)).start();
  const batch = options.renderBatch ?? 'frame';
  const schedule = batch === 'sync' ? undefined : createSchedule(batch);
  const listeners = new Set<() => void>();
  let error: ClientError | undefined;
  let cached: GatewayState | undefined;
  let cancelPending: (() => void) | undefined;

  const notify = () => {
    cancelPending?.();
    cancelPending = undefined;
    cached = undefined;
    for (const listener of listeners) listener();
  };
  const notifyBatched = () => {
    if (schedule === undefined) notify();
    else if (cancelPending === undefined) cancelPending = schedule(notify);
  };

  const onMessage: AgentGatewayClientEvents['message'] = (message) => {
    session.send({ type: 'server.message', message });
    notifyBatched();
  };
  // Batched like frames: a flood of malformed frames must not re-render per frame.
  const onError = (reported: ClientError) => {
    error = reported;
    notifyBatched();
  };
  // History was lost between the last frame delivered and what the gateway still has: the view is
  // rebuilt from the replay rather than glued after a gap.
  const onHistoryLost: AgentGatewayClientEvents['history_lost'] = (replayed, status) => {
    if (replayed === undefined) return;
    session.send({ type: 'session.reset' });
    for (const message of replayed) session.send({ type: 'server.message', message });
    session.send({ type: 'server.message', message: { type: 'resume_complete', status } });
    notifyBatched();
  };
  // The machine decides when another conversation starts (a connect to another chatKey): the view
  // starts over with it.
  let conversation = client.getSnapshot().conversation;
  // What the store shows of the connection: a machine step that changes none of it (a counter in
  // the machine's context) is not worth a render.
  let shown = '';
  const onConnectionChange = () => {
    const snapshot = client.getSnapshot();
    if (snapshot.conversation !== conversation) {
      conversation = snapshot.conversation;
      error = undefined;
      session.send({ type: 'session.reset' });
    }
    const next = JSON.stringify([snapshot.status, snapshot.state, snapshot.disconnectReason]);
    if (next === shown) return;
    shown = next;
    notify();
  };
  client.on('message', onMessage);
  client.on('error', onError);
  client.on('history_lost', onHistoryLost);
  const unsubscribeClient = client.subscribe(onConnectionChange);

  return {
    getSnapshot() {
      if (cached === undefined) {
        const connection = client.getSnapshot();
        cached = {
          status: connection.status,
          state: connection.state,
          disconnectReason: connection.disconnectReason,
          session: session.getSnapshot().context,
          error,
        };
      }
      return cached;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    confirmTool(toolCallId, approved) {
      const receipt = client.sendToolConfirmation(toolCallId, approved);
      if (receipt.status !== 'rejected') {
        session.send({ type: 'user.toolConfirmation', toolCallId, approved });
        notify();
      }
      return receipt;
    },
    submitInput(requestId, content) {
      const receipt = client.sendUserInput(requestId, content);
      if (receipt.status !== 'rejected') {
        session.send({ type: 'user.input', requestId, content });
        notify();
      }
      return receipt;
    },
    interrupt() {
      return client.sendInterrupt();
    },
    dispose() {
      cancelPending?.();
      cancelPending = undefined;
      unsubscribeClient();
      client.off('message', onMessage);
      client.off('error', onError);
      client.off('history_lost', onHistoryLost);
      listeners.clear();
      session.stop();
    },
  };
}
