/** What the adapter reads from the events of a WebSocket (DOM `WebSocket` and `ws` both fit). */
export interface SocketEventLike {
  /** Every event has it; declaring it lets `ws` and DOM events fit this type without a cast. */
  type: string;
  data?: unknown;
  code?: number;
  reason?: string;
  message?: string;
}

/** The part of a WebSocket the adapter uses: the DOM `WebSocket` and the `ws` package's class both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: 'open' | 'message' | 'close' | 'error',
    listener: (event: SocketEventLike) => void,
  ): void;
  removeEventListener(
    type: 'open' | 'message' | 'close' | 'error',
    listener: (event: SocketEventLike) => void,
  ): void;
}

/** A WebSocket class: the global `WebSocket` in browsers, `import { WebSocket } from 'ws'` in Node. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `readyState` values of the WebSocket standard. */
export const ReadyState = { connecting: 0, open: 1, closing: 2, closed: 3 } as const;
