import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { AgentGatewayClient } from '../client.js';
import {
  createGatewayStore,
  type GatewayState,
  type GatewayStore,
  type RenderBatch,
} from '../gatewayStore.js';
import { initialSessionView } from '../../machines/session.view.js';
import type { AgentGatewayClientOptions } from '../options.js';

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

/** What {@link useAgentGateway} returns: the state to render and stable actions. */
export interface UseAgentGatewayResult extends GatewayState {
  /** The client of the current session (for `on(...)`, the inspector, `@xstate/react`). */
  client: AgentGatewayClient | undefined;
  connect(): void;
  disconnect(): void;
  reconnect(): void;
  interrupt(): void;
  approveTool(toolCallId: string): void;
  rejectTool(toolCallId: string): void;
  submitInput(requestId: string, content: string): void;
}

interface Binding {
  client: AgentGatewayClient;
  store: GatewayStore;
}

const idleState: GatewayState = {
  status: 'disconnected',
  state: { disconnected: 'idle' },
  disconnectReason: 'idle',
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
  const interrupt = useCallback(() => void bindingRef.current?.client.sendInterrupt(), []);
  const confirmTool = useCallback((toolCallId: string, approved: boolean) => {
    const current = bindingRef.current;
    if (current === undefined) return;
    if (current.client.sendToolConfirmation(toolCallId, approved).status !== 'rejected') {
      current.store.recordToolConfirmation(toolCallId, approved);
    }
  }, []);
  const approveTool = useCallback((toolCallId: string) => confirmTool(toolCallId, true), [confirmTool]);
  const rejectTool = useCallback((toolCallId: string) => confirmTool(toolCallId, false), [confirmTool]);
  const submitInput = useCallback((requestId: string, content: string) => {
    const current = bindingRef.current;
    if (current === undefined) return;
    if (current.client.sendUserInput(requestId, content).status !== 'rejected') {
      current.store.recordInput(requestId, content);
    }
  }, []);

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
