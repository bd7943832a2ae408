import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness } from '../../support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('heartbeat acks', () => {
  it('with two heartbeats in flight, the first ack keeps waiting for the second (re-armed deadline)', () => {
    const h = createHarness({ heartbeatIntervalMs: 1_000, heartbeatTimeoutMs: 500 });
    h.client.connect('chat-1');
    const socket = h.authenticate();
    vi.advanceTimersByTime(1_000); // heartbeat #1
    h.client.sendInterrupt(); // and its probe, heartbeat #2
    expect(socket.frameTypes.filter((type) => type === 'heartbeat')).toHaveLength(2);
    vi.advanceTimersByTime(400);
    socket.receive({ type: 'heartbeat_ack' }); // acks #1 only
    expect(h.client.getSnapshot().state).toMatchObject({ link: { connected: { heartbeat: 'awaitingAck' } } });
    expect(h.client.getSnapshot().unconfirmedCommands).toBe(1);
    vi.advanceTimersByTime(499); // the deadline was re-armed by the ack
    expect(h.client.connectionStatus).toBe('connected');
    socket.receive({ type: 'heartbeat_ack' });
    expect(h.client.getSnapshot().state).toMatchObject({ link: { connected: { heartbeat: 'idle' } } });
    expect(h.client.getSnapshot().unconfirmedCommands).toBe(0);
  });

  it('a missing second ack still declares the link dead', () => {
    const h = createHarness({ heartbeatIntervalMs: 1_000, heartbeatTimeoutMs: 500 });
    h.client.connect('chat-1');
    const socket = h.authenticate();
    vi.advanceTimersByTime(1_000);
    h.client.sendInterrupt();
    socket.receive({ type: 'heartbeat_ack' });
    vi.advanceTimersByTime(500);
    expect(socket.closedWith).toEqual({ code: 4000, reason: 'Heartbeat timeout' });
    expect(h.client.connectionStatus).toBe('reconnecting');
  });
});

describe('unsolicited heartbeat acks', () => {
  it('are ignored: they cannot confirm a command before the ack of its own probe', () => {
    const h = createHarness({ heartbeatIntervalMs: 1_000, heartbeatTimeoutMs: 500 });
    h.client.connect('chat-1');
    const socket = h.authenticate();
    for (let i = 0; i < 3; i++) socket.receive({ type: 'heartbeat_ack' }); // nobody asked
    h.client.sendInterrupt(); // written, then its probe
    expect(h.client.getSnapshot().unconfirmedCommands).toBe(1);
    expect(h.client.actor.getSnapshot().context.heartbeatsAcked).toBe(0);
    socket.receive({ type: 'heartbeat_ack' }); // the probe's ack
    expect(h.client.getSnapshot().unconfirmedCommands).toBe(0);
  });
});
