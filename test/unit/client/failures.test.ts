import { AgentGatewayClient } from 'agent-gateway-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakeSocketClass, FakeSocket } from '../../support/fakeSocket.js';
import { createHarness } from '../../support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('failures inside the client never take it down', () => {
  it('a WebSocket implementation that throws while wiring up is reported, and the client retries', () => {
    let calls = 0;
    const { WebSocket: Working, sockets } = createFakeSocketClass();
    class Sometimes extends FakeSocket {
      constructor(url: string) {
        super(url);
        if (++calls === 1) throw new Error('socket factory exploded');
        return new Working(url);
      }
    }
    const errors: string[] = [];
    const client = new AgentGatewayClient({
      gatewayUrl: 'https://gw',
      token: 't',
      WebSocket: Sometimes,
      reconnectJitter: 0,
      watchEnvironment: false,
    });
    client.on('error', (error) => errors.push((error as Error).message));
    client.connect('chat-1');
    expect(client.connectionStatus).toBe('reconnecting');
    expect(errors).toEqual(['Could not create the WebSocket: socket factory exploded']);
    vi.advanceTimersByTime(1_000);
    expect(sockets).toHaveLength(1);
    expect(client.actor.getSnapshot().status).toBe('active');
  });

  it('an adapter that crashes (listener wiring throws) goes through the retry decision', () => {
    class Broken extends FakeSocket {
      override addEventListener(): void {
        throw new Error('cannot listen');
      }
    }
    const errors: string[] = [];
    const client = new AgentGatewayClient({
      gatewayUrl: 'https://gw',
      token: 't',
      WebSocket: Broken,
      watchEnvironment: false,
    });
    client.on('error', (error) => errors.push((error as Error).message));
    client.connect('chat-1');
    expect(client.actor.getSnapshot().status).toBe('active');
    expect(client.connectionStatus).toBe('reconnecting');
    expect(errors).toEqual(['socket failed: cannot listen']);
    client.dispose();
  });

  it('a logger that throws does not break frame handling', () => {
    const h = createHarness({
      logger: {
        warn: () => {
          throw new Error('logger down');
        },
        error: () => {
          throw new Error('logger down');
        },
      },
    });
    h.client.on('agent_event', () => {
      throw new Error('listener bug');
    });
    h.client.connect('chat-1');
    const socket = h.authenticate();
    expect(() => socket.receive('garbage')).not.toThrow();
    expect(() =>
      socket.receive({ type: 'agent_event', id: '1', event: { kind: 'thinking', content: 'x' } }),
    ).not.toThrow();
    expect(h.client.lastEventId).toBe('1');
    expect(h.client.stats.malformedFrames).toBe(1);
  });
});
