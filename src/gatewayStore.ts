import { type Actor, createActor, type StateValue } from 'xstate';
import type { DisconnectReason } from '../machines/connection.machine.js';
import type { ConnectionStatus } from '../machines/connectionStatus.js';
import { sessionMachine } from '../machines/session.machine.js';
import type { SessionView } from '../machines/session.view.js';
import type { AgentGatewayClient } from './client.js';
import type { AgentGatewayClientEvents } from './client.types.js';

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
  error: Error | undefined;
}

/** A framework-free store over one client: what framework adapters (the React hook) subscribe to. */
export interface GatewayStore {
  getSnapshot(): GatewayState;
  subscribe(listener: () => void): () => void;
  /** Records the user's tool decision in the view at once (the command goes through the client). */
  recordToolConfirmation(toolCallId: string, approved: boolean): void;
  /** Records the user's answer in the view at once (the command goes through the client). */
  recordInput(requestId: string, content: string): void;
  /** Stops listening to the client and cancels a pending notification. */
  dispose(): void;
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
  const session: Actor<typeof sessionMachine> = createActor(sessionMachine).start();
  const batch = options.renderBatch ?? 'frame';
  const schedule = batch === 'sync' ? undefined : createSchedule(batch);
  const listeners = new Set<() => void>();
  let error: Error | undefined;
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
  const onError = (reported: Error | Event) => {
    error = reported instanceof Error ? reported : new Error('WebSocket error');
    notify();
  };
  // A connect to another chatKey starts another conversation: the view starts over with it.
  let chatKey = client.getSnapshot().chatKey;
  const onConnectionChange = () => {
    const next = client.getSnapshot().chatKey;
    if (next !== chatKey) {
      chatKey = next;
      error = undefined;
      session.send({ type: 'session.reset' });
    }
    notify();
  };
  client.on('message', onMessage);
  client.on('error', onError);
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
    recordToolConfirmation(toolCallId, approved) {
      session.send({ type: 'user.toolConfirmation', toolCallId, approved });
      notify();
    },
    recordInput(requestId, content) {
      session.send({ type: 'user.input', requestId, content });
      notify();
    },
    dispose() {
      cancelPending?.();
      cancelPending = undefined;
      unsubscribeClient();
      client.off('message', onMessage);
      client.off('error', onError);
      listeners.clear();
      session.stop();
    },
  };
}
