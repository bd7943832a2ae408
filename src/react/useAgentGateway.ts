import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { getInitialSnapshot } from 'xstate';
import {
  AgentGatewayClient,
  type AgentGatewayClientOptions,
  type CommandReceipt,
  connectionMachine,
  createGatewayStore,
  type GatewayState,
  type GatewayStore,
  initialSessionView,
  type RenderBatch,
  toConnectionStatus,
  toDisconnectReason,
} from '../index.js';

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
}

// What a client that never connected would say, read off the machine itself.
const initialConnection = getInitialSnapshot(connectionMachine, {});
const idleState: GatewayState = {
  status: toConnectionStatus(initialConnection),
  state: initialConnection.value,
  disconnectReason: toDisconnectReason(initialConnection),
  session: initialSessionView,
  error: undefined,
};
const subscribeNothing = () => () => undefined;
const getIdleState = () => idleState;

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
    setBinding({ client, store });
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

  const state = useSyncExternalStore(
    binding?.store.subscribe ?? subscribeNothing,
    binding?.store.getSnapshot ?? getIdleState,
    binding?.store.getSnapshot ?? getIdleState,
  );

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
      ...state,
      client: binding?.client,
      connect,
      disconnect,
      reconnect,
      interrupt,
      approveTool,
      rejectTool,
      submitInput,
    }),
    [state, binding, connect, disconnect, reconnect, interrupt, approveTool, rejectTool, submitInput],
  );
}
