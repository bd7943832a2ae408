import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness, referenceAuthSuccess, textDelta } from '../../support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const heartbeats = (types: string[]) => types.filter((type) => type === 'heartbeat').length;

describe('heartbeat', () => {
  it('sends a heartbeat every interval while authenticated, and none before', () => {
    const h = createHarness({ heartbeatIntervalMs: 30_000, heartbeatTimeoutMs: 10_000 });
    h.client.connect('chat-1');
    h.latest().open();
    vi.advanceTimersByTime(5_000);
    expect(heartbeats(h.latest().frameTypes)).toBe(0);
    h.latest().receive(referenceAuthSuccess);
    const socket = h.latest();
    for (let beat = 1; beat <= 4; beat++) {
      vi.advanceTimersByTime(29_999);
      expect(heartbeats(socket.frameTypes)).toBe(beat - 1);
      vi.advanceTimersByTime(1);
      expect(heartbeats(socket.frameTypes)).toBe(beat);
      socket.receive({ type: 'heartbeat_ack' });
    }
    expect(h.client.connectionStatus).toBe('connected');
  });

  it('closes with 4000 "Heartbeat timeout" and reconnects right when the ack is missing', () => {
    const h = createHarness({ heartbeatIntervalMs: 1_000, heartbeatTimeoutMs: 500 });
    h.client.connect('chat-1');
    const socket = h.authenticate();
    vi.advanceTimersByTime(1_000 + 499);
    expect(socket.closedWith).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(socket.closedWith).toEqual({ code: 4000, reason: 'Heartbeat timeout' });
    // At once: no waiting for the close event of a dead link.
    expect(h.client.connectionStatus).toBe('reconnecting');
    expect(h.names()).toEqual(['connected', 'reconnecting']);
    socket.receive(textDelta('late'));
    socket.serverClose(1006);
    expect(h.argsOf('agent_event')).toHaveLength(0);
    expect(h.names()).toEqual(['connected', 'reconnecting']);
  });

  it('counts any inbound frame as proof of life (a busy link is not declared dead)', () => {
    const h = createHarness({ heartbeatIntervalMs: 1_000, heartbeatTimeoutMs: 500 });
    h.client.connect('chat-1');
    const socket = h.authenticate();
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(1_000);
      vi.advanceTimersByTime(400);
      socket.receive(textDelta(`e${i}`)); // the ack never comes, but data does
    }
    expect(h.client.connectionStatus).toBe('connected');
    expect(heartbeats(socket.frameTypes)).toBe(10);
  });

  it('counts a malformed frame as proof of life too', () => {
    const h = createHarness({ heartbeatIntervalMs: 1_000, heartbeatTimeoutMs: 500 });
    h.client.connect('chat-1');
    const socket = h.authenticate();
    vi.advanceTimersByTime(1_200);
    socket.receive('not json');
    vi.advanceTimersByTime(400);
    expect(h.client.connectionStatus).toBe('connected');
  });

  it('never queues heartbeats: none are written after a reconnect for the dead link', () => {
    const h = createHarness({ heartbeatIntervalMs: 1_000, heartbeatTimeoutMs: 500 });
    h.client.connect('chat-1');
    h.authenticate();
    vi.advanceTimersByTime(1_500);
    vi.advanceTimersByTime(1_000);
    const next = h.authenticate();
    expect(next.frameTypes).toEqual(['auth', 'resume']);
  });
});
