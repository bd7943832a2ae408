import { AgentGatewayClient } from '../client.js';
import { AgentGatewayError } from '../errors.js';
import { Listeners } from '../listeners.js';
import type { SocketEventLike, WebSocketConstructor, WebSocketLike } from '../webSocket.js';
import { lobehubWire } from './dialect.js';
import type {
  AgentStreamClientEvents,
  AgentStreamClientOptions,
  AgentStreamEvent,
  ConnectionStatus,
  TerminalSessionStatus,
  ToolResultMessage,
} from './types.js';

type SocketEventType = 'open' | 'message' | 'close' | 'error';
/** A socket as LobeHub's client uses one: `on*` handlers (its tests' mocks have nothing else). */
interface HandlerSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener?: unknown;
  onopen?: unknown;
  onmessage?: unknown;
  onclose?: unknown;
  onerror?: unknown;
}

/**
 * The socket itself where it has `addEventListener` (browsers, `ws`), else a view of it that has,
 * over its `on*` handlers: LobeHub's client only sets those, and so do the mocks of apps' tests.
 */
function withListeners(socket: HandlerSocket): WebSocketLike {
  if (typeof socket.addEventListener === 'function') return socket as unknown as WebSocketLike;
  const listeners = new Map<SocketEventType, Set<(event: SocketEventLike) => void>>();
  for (const type of ['open', 'message', 'close', 'error'] as const) {
    const set = new Set<(event: SocketEventLike) => void>();
    listeners.set(type, set);
    (socket as unknown as Record<string, unknown>)[`on${type}`] = (event: SocketEventLike) => {
      for (const listener of [...set]) listener(event);
    };
  }
  return {
    get readyState() {
      return socket.readyState;
    },
    send: (data) => socket.send(data),
    close: (code, reason) => socket.close(code, reason),
    addEventListener: (type, listener) => void listeners.get(type)?.add(listener),
    removeEventListener: (type, listener) => void listeners.get(type)?.delete(listener),
  };
}

/**
 * A WebSocket class for the client: `given`, or the global `WebSocket` looked up at each dial as
 * LobeHub's client does (its tests stub it per test), its sockets given `addEventListener` if they lack it.
 */
function socketClass(given: WebSocketConstructor | undefined): WebSocketConstructor {
  return function LobeHubSocket(url: string) {
    const WebSocketClass = given ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (WebSocketClass === undefined)
      throw new TypeError(
        'No global WebSocket here: pass one as the WebSocket option (in Node, the ws package)',
      );
    return withListeners(new WebSocketClass(url) as unknown as HandlerSocket);
  } as unknown as WebSocketConstructor;
}

/**
 * A drop-in for LobeHub's `AgentStreamClient` (protocol v1): the same constructor options, methods,
 * events and payloads, so an app switches by changing one import. Built on this package's connection
 * machine, it adds what LobeHub's leaves out (docs/lobehub.md): each event delivered once and in id
 * order across reconnects and replays, bounded memory, and timeouts for a socket that never opens or
 * never authenticates.
 *
 * @example
 * const client = new AgentStreamClient({ gatewayUrl, operationId, token });
 * client.on('agent_event', (event) => render(event));
 * client.on('auth_expired', async () => { client.updateToken(await refresh()); await client.reconnect(); });
 * client.connect();
 */
export class AgentStreamClient {
  /** The client it is built on: for `@xstate/react`, the inspector, and its richer events. */
  readonly client: AgentGatewayClient;
  readonly #operationId: string;
  readonly #listeners = new Listeners<AgentStreamClientEvents>((error, event) =>
    console.error(`[AgentStreamClient] Error in ${event} listener:`, error),
  );

  constructor(options: AgentStreamClientOptions) {
    this.#operationId = options.operationId;
    const client = new AgentGatewayClient({
      gatewayUrl: options.gatewayUrl,
      token: options.token,
      dialect: lobehubWire,
      autoReconnect: options.autoReconnect ?? true,
      resumeOnConnect: options.resumeOnConnect ?? false,
      lastEventId: options.lastEventId ?? '',
      // LobeHub's client tells `auth_expired` and leaves the refresh to the app.
      reauthOnExpiry: false,
      WebSocket: socketClass(options.WebSocket),
    });
    this.client = client;
    const listeners = this.#listeners;
    client.on('status_changed', (status) => listeners.emit('status_changed', status));
    client.on('connected', () => listeners.emit('connected'));
    client.on('disconnected', () => listeners.emit('disconnected'));
    client.on('reconnecting', (delayMs) => listeners.emit('reconnecting', delayMs));
    client.on('auth_failed', (reason) => listeners.emit('auth_failed', reason));
    client.on('auth_expired', () => listeners.emit('auth_expired'));
    client.on('agent_event', (message) =>
      listeners.emit('agent_event', message.event as unknown as AgentStreamEvent),
    );
    client.on('error', (error) => {
      // LobeHub's client reports socket errors only; a gateway's terminal close and a refused upgrade
      // (a wrong URL) are told too, since this client, unlike LobeHub's, does not retry them.
      if (!(error instanceof AgentGatewayError)) return;
      if (error.kind === 'link')
        listeners.emit(
          'error',
          new Error(`WebSocket error for operation ${this.#operationId}`, { cause: error }),
        );
      else if (error.kind === 'closedByGateway' || error.kind === 'refused') listeners.emit('error', error);
    });
    client.actor.on('sessionComplete', ({ message }) =>
      listeners.emit(
        'session_complete',
        message.type === 'session_complete'
          ? { source: 'raw_session_complete' }
          : { source: 'resume_status', status: message.status as TerminalSessionStatus },
      ),
    );
  }

  /** The connection status. */
  get connectionStatus(): ConnectionStatus {
    return this.client.connectionStatus;
  }

  /** Adds a listener. A listener that throws is logged and does not affect the others. */
  on<K extends keyof AgentStreamClientEvents>(event: K, listener: AgentStreamClientEvents[K]): void {
    this.#listeners.on(event, listener);
  }

  /** Removes a listener. */
  off<K extends keyof AgentStreamClientEvents>(event: K, listener: AgentStreamClientEvents[K]): void {
    this.#listeners.off(event, listener);
  }

  /** Removes every listener. */
  removeAllListeners(): void {
    this.#listeners.clear();
  }

  /** Connects; a no-op while connecting or connected; while waiting to reconnect, reconnects now. */
  connect(): void {
    const status = this.connectionStatus;
    if (status === 'reconnecting') return this.client.reconnect();
    if (status === 'disconnected') this.client.connect(this.#operationId);
  }

  /** Disconnects on purpose: no reconnect. Tells `disconnected` even when already disconnected, as LobeHub's client. */
  disconnect(): void {
    const already = this.connectionStatus === 'disconnected';
    this.client.disconnect();
    if (already) this.#listeners.emit('disconnected');
  }

  /**
   * Answers a `tool_execute` with the tool's result. Returns `true` when it was written to the live
   * socket, `false` when there is none (the gateway then times the tool out, as with LobeHub's client).
   */
  sendToolResult(result: Omit<ToolResultMessage, 'type'>): boolean {
    if (this.connectionStatus !== 'connected') return false;
    return this.client.sendToolResult(result).status === 'sent';
  }

  /** Asks the agent to stop (LobeHub's gateway ignores it; its apps stop a run through their backend). */
  sendInterrupt(): void {
    this.client.sendInterrupt();
  }

  /** Replaces the token used by the next `auth`; call `reconnect()` after it to recover from `auth_expired`. */
  updateToken(token: string): void {
    this.client.updateToken(token);
  }

  /** Redials now with the latest token and a fresh backoff, from any state; resumes after the last event delivered. */
  async reconnect(): Promise<void> {
    if (this.connectionStatus === 'disconnected') this.client.connect(this.#operationId);
    else this.client.reconnect();
  }

  /** Disconnects and removes every listener; the client is inert afterwards. */
  dispose(): void {
    this.client.dispose();
    this.#listeners.clear();
  }
}
