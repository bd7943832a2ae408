import { useSelector } from '@xstate/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Observer, Subscription } from 'xstate';
import {
  AgentGatewayClient,
  type AgentGatewayClientOptions,
  type ClientSnapshot,
  type CommandReceipt,
  createGatewayStore,
  type GatewayState,
  type GatewayStore,
  initialSessionView,
  type RenderBatch,
} from '../index.js';
import { useGatewaySelector } from './useGatewaySelector.js';

/** Options of {@link useAgentGateway}: the client's options plus the session to follow. */
export interface UseAgentGatewayOptions extends Omit<AgentGatewayClientOptions, 'token' | 'getToken'> {
  /** The session to follow; `undefined` or `""` follows none. A change opens a new connection. */
  chatKey: string | undefined;
  /** Static token; changing it never reconnects (the next `auth` uses it). */
  token?: string;
  /** Token provider; the latest one is called before every `auth`. */
  getToken?: () => string | Promise<string>;
  /** Connect as soon as a chatKey is given. Default `true`. */
  autoConnect?: boolean;
  /** How often a fast stream re-renders: `'frame'`, milliseconds, or `'sync'`. Default `'frame'`. */
  renderBatch?: RenderBatch;
}

/**
 * What {@link useAgentGateway} returns: the state to render and stable actions. Commands return the
 * client's receipt, or `undefined` while no session is followed.
 */
export interface UseAgentGatewayResult extends GatewayState {
  /** The client of the current session (for `on(...)`, the inspector, `@xstate/react`). */
  client: AgentGatewayClient | undefined;
  connect(): void;
  disconnect(): void;
  reconnect(): void;
  interrupt(): CommandReceipt | undefined;
  approveTool(toolCallId: string): CommandReceipt | undefined;
  rejectTool(toolCallId: string): CommandReceipt | undefined;
  submitInput(requestId: string, content: string): CommandReceipt | undefined;
}

interface Binding {
  client: AgentGatewayClient;
  store: GatewayStore;
  /** The store as `@xstate/react` subscribes to actors. */
  source: StoreSource;
}

interface StoreSource {
  getSnapshot(): GatewayState;
  subscribe(observer: Observer<GatewayState> | ((state: GatewayState) => void)): Subscription;
}

const toSource = (store: GatewayStore): StoreSource => ({
  getSnapshot: store.getSnapshot,
  subscribe(observer) {
    const next = typeof observer === 'function' ? observer : (state: GatewayState) => observer.next?.(state);
    return { unsubscribe: store.subscribe(() => next(store.getSnapshot())) };
  },
});

type Connection = Pick<ClientSnapshot, 'status' | 'state' | 'disconnectReason'>;
const selectConnection = ({ status, state, disconnectReason }: ClientSnapshot): Connection => ({
  status,
  state,
  disconnectReason,
});
// A machine step that changes no public field (a heartbeat) must not re-render.
const sameConnection = (a: Connection, b: Connection) =>
  a.status === b.status &&
  a.disconnectReason === b.disconnectReason &&
  (a.state === b.state || JSON.stringify(a.state) === JSON.stringify(b.state));

/**
 * Follows one agent session from React. One client and one socket per destination
 * (`gatewayUrl` + `chatKey`), also under StrictMode; a new token never reconnects; a fast token
 * stream re-renders at most once per frame by default; action identities are stable.
 *
 * @example
 * const { session, status, approveTool } = useAgentGateway({ gatewayUrl, chatKey, getToken });
 */
export function useAgentGateway(options: UseAgentGatewayOptions): UseAgentGatewayResult {
  const { gatewayUrl, chatKey } = options;
  const latest = useRef(options);
  latest.current = options;
  const [binding, setBinding] = useState<Binding | undefined>(undefined);
  const bindingRef = useRef(binding);
  bindingRef.current = binding;

  useEffect(() => {
    if (!chatKey) return;
    const {
      token: _token,
      getToken: _getToken,
      autoConnect,
      renderBatch,
      chatKey: _key,
      ...clientOptions
    } = latest.current;
    const client = new AgentGatewayClient({
      ...clientOptions,
      gatewayUrl,
      getToken: () => latest.current.getToken?.() ?? latest.current.token ?? '',
    });
    const store = createGatewayStore(client, renderBatch === undefined ? {} : { renderBatch });
    setBinding({ client, store, source: toSource(store) });
    let disposed = false;
    // StrictMode mounts, unmounts and mounts again in one go: connecting a microtask later means the
    // throwaway first mount never opens a socket.
    if (autoConnect !== false) queueMicrotask(() => disposed || client.connect(chatKey));
    return () => {
      disposed = true;
      store.dispose();
      client.dispose();
    };
  }, [gatewayUrl, chatKey]);

  // The connection through @xstate/react on the client's actor; the session through the store, which
  // batches a fast stream into one notification per frame.
  const connection = useGatewaySelector(binding?.client, selectConnection, sameConnection);
  const session = useSelector(binding?.source, (snapshot) => snapshot?.session ?? initialSessionView);
  const error = useSelector(binding?.source, (snapshot) => snapshot?.error);

  const connect = useCallback(() => {
    const key = latest.current.chatKey;
    if (key) bindingRef.current?.client.connect(key);
  }, []);
  const disconnect = useCallback(() => bindingRef.current?.client.disconnect(), []);
  const reconnect = useCallback(() => bindingRef.current?.client.reconnect(), []);
  const interrupt = useCallback(() => bindingRef.current?.store.interrupt(), []);
  const approveTool = useCallback(
    (toolCallId: string) => bindingRef.current?.store.confirmTool(toolCallId, true),
    [],
  );
  const rejectTool = useCallback(
    (toolCallId: string) => bindingRef.current?.store.confirmTool(toolCallId, false),
    [],
  );
  const submitInput = useCallback(
    (requestId: string, content: string) => bindingRef.current?.store.submitInput(requestId, content),
    [],
  );

  return useMemo(
    () => ({
      ...connection,
      session,
      error,
      client: binding?.client,
      connect,
      disconnect,
      reconnect,
      interrupt,
      approveTool,
      rejectTool,
      submitInput,
    }),
    [
      connection,
      session,
      error,
      binding,
      connect,
      disconnect,
      reconnect,
      interrupt,
      approveTool,
      rejectTool,
      submitInput,
    ],
  );
}
