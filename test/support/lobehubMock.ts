import { vi } from 'vitest';

/**
 * A WebSocket mock written the way LobeHub's own client tests write theirs: `on*` handler properties
 * only (no `addEventListener`), it opens itself on the next tick, `close()` fires `onclose` at once,
 * and it answers nothing (no heartbeat ack) unless the test sends it.
 */
export class LobeHubMockSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;

  readyState = LobeHubMockSocket.CONNECTING;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: unknown) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly sent: string[] = [];

  constructor(readonly url: string) {
    setTimeout(() => {
      this.readyState = LobeHubMockSocket.OPEN;
      this.onopen?.({});
    }, 0);
  }

  send(data: string): void {
    this.sent.push(data);
  }

  close(_code?: number, _reason?: string): void {
    this.readyState = LobeHubMockSocket.CLOSED;
    this.onclose?.({});
  }

  simulateMessage(data: unknown): void {
    this.onmessage?.({ data: JSON.stringify(data) });
  }

  simulateClose(): void {
    this.readyState = LobeHubMockSocket.CLOSED;
    this.onclose?.({});
  }

  simulateError(): void {
    this.onerror?.({});
  }

  /** Frames the client wrote, parsed. */
  get frames(): Array<Record<string, unknown>> {
    return this.sent.map((raw) => JSON.parse(raw) as Record<string, unknown>);
  }
}

/** Installs the mock as the global `WebSocket` (as LobeHub's tests do); returns the sockets made, in order. */
export function stubGlobalWebSocket(): LobeHubMockSocket[] {
  const sockets: LobeHubMockSocket[] = [];
  vi.stubGlobal(
    'WebSocket',
    class extends LobeHubMockSocket {
      constructor(url: string) {
        super(url);
        sockets.push(this);
      }
    },
  );
  return sockets;
}

/** A LobeHub agent event frame. */
export function lobehubEvent(
  type: string,
  options: { id?: string; operationId?: string; data?: unknown; stepIndex?: number } = {},
) {
  const { id, operationId = 'op-123', data = {}, stepIndex = 0 } = options;
  return {
    type: 'agent_event',
    ...(id === undefined ? {} : { id }),
    event: { data, operationId, stepIndex, timestamp: 1, type },
  };
}
