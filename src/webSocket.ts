/** What the adapter reads from the events of a WebSocket (DOM `WebSocket` and `ws` both fit). */
export interface SocketEventLike {
  /** Every event has it; declaring it lets `ws` and DOM events fit this type without a cast. */
  type: string;
  data?: unknown;
  code?: number;
  reason?: string;
  message?: string;
}

/** The events of a WebSocket the adapter listens to. */
export type SocketEventType = 'open' | 'message' | 'close' | 'error';

/** The part of a WebSocket the adapter uses: the DOM `WebSocket` and the `ws` package's class both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: SocketEventType, listener: (event: SocketEventLike) => void): void;
  removeEventListener(type: SocketEventType, listener: (event: SocketEventLike) => void): void;
}

/** The adapter's handler of each socket event. */
export type SocketHandlers = Record<SocketEventType, (event: SocketEventLike) => void>;

const EVENT_TYPES: readonly SocketEventType[] = ['open', 'message', 'close', 'error'];

/**
 * Attaches `handlers` to a socket and returns what detaches them, leaving a no-op on `error`: `ws`
 * emits `error` when a socket still connecting is closed, and with no listener Node would crash the process.
 */
export function listen(socket: WebSocketLike, handlers: SocketHandlers): () => void {
  for (const type of EVENT_TYPES) socket.addEventListener(type, handlers[type]);
  return () => {
    for (const type of EVENT_TYPES) socket.removeEventListener(type, handlers[type]);
    socket.addEventListener('error', () => undefined);
  };
}

/** A WebSocket class: the global `WebSocket` in browsers, `import { WebSocket } from 'ws'` in Node. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `readyState` values of the WebSocket standard. */
export const ReadyState = { connecting: 0, open: 1, closing: 2, closed: 3 } as const;
