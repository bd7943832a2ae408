import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness } from '../../support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** Waits exactly the pending backoff (not longer: the new socket's own timeouts must not fire). */
const waitOutBackoff = (h: ReturnType<typeof createHarness>) =>
  vi.advanceTimersByTime(h.client.getSnapshot().retryDelayMs);

describe('reconnect attempt limit', () => {
  it('gives up after maxReconnectAttempts against a gateway that opens and then drops', () => {
    const h = createHarness({ maxReconnectAttempts: 3 });
    h.client.connect('chat-1');
    for (let i = 0; i < 3; i++) {
      h.latest().open(); // the handshake succeeds: this must not reset the attempt count
      h.latest().serverClose(1006);
      expect(h.client.connectionStatus).toBe('reconnecting');
      waitOutBackoff(h);
    }
    h.latest().open();
    h.latest().serverClose(1006);
    expect(h.client.connectionStatus).toBe('disconnected');
    expect(h.client.getSnapshot().disconnectReason).toBe('gaveUp');
    expect(h.sockets).toHaveLength(4);
    const tail = h.names().slice(-2);
    expect(tail).toEqual(['disconnected', 'error']);
    expect(h.errors().at(-1)?.message).toBe('Max reconnect attempts reached');
    vi.advanceTimersByTime(120_000);
    expect(h.sockets).toHaveLength(4);
  });

  it('still counts attempts when the gateway authenticates and then drops before minUptimeMs', () => {
    const h = createHarness({ maxReconnectAttempts: 2, minUptimeMs: 5_000 });
    h.client.connect('chat-1');
    for (let i = 0; i < 3; i++) {
      h.authenticate();
      vi.advanceTimersByTime(4_999);
      h.latest().serverClose(1006);
      waitOutBackoff(h);
    }
    expect(h.client.getSnapshot().disconnectReason).toBe('gaveUp');
    expect(h.argsOf('reconnecting').map(([, attempt]) => attempt)).toEqual([1, 2]);
  });

  it('resets attempts and backoff once an authenticated link has stayed up minUptimeMs', () => {
    const h = createHarness({ maxReconnectAttempts: 2, minUptimeMs: 5_000 });
    h.client.connect('chat-1');
    h.latest().fail();
    waitOutBackoff(h);
    h.latest().fail();
    waitOutBackoff(h);
    expect(h.client.getSnapshot().attempt).toBe(2);
    h.authenticate();
    vi.advanceTimersByTime(5_000);
    expect(h.client.getSnapshot().attempt).toBe(0);
    h.latest().serverClose(1006);
    expect(h.argsOf('reconnecting').at(-1)).toEqual([1_000, 1]);
  });

  it('never gives up with maxReconnectAttempts 0', () => {
    const h = createHarness({ maxReconnectAttempts: 0, maxReconnectDelayMs: 10 });
    h.client.connect('chat-1');
    for (let i = 0; i < 50; i++) {
      h.latest().fail();
      waitOutBackoff(h);
    }
    expect(h.client.connectionStatus).toBe('connecting');
    expect(h.sockets).toHaveLength(51);
  });

  it('after giving up, reconnect() starts a fresh attempt series', () => {
    const h = createHarness({ maxReconnectAttempts: 1 });
    h.client.connect('chat-1');
    h.latest().fail();
    waitOutBackoff(h);
    h.latest().fail();
    expect(h.client.getSnapshot().disconnectReason).toBe('gaveUp');
    h.client.reconnect();
    expect(h.client.connectionStatus).toBe('connecting');
    h.latest().fail();
    expect(h.argsOf('reconnecting').at(-1)).toEqual([1_000, 1]);
  });

  it('with autoReconnect off, an unexpected close ends in disconnected without retrying', () => {
    const h = createHarness({ autoReconnect: false });
    h.client.connect('chat-1');
    h.authenticate();
    h.latest().serverClose(1006);
    expect(h.client.connectionStatus).toBe('disconnected');
    expect(h.client.getSnapshot().disconnectReason).toBe('linkLost');
    expect(h.names()).toEqual(['connected', 'disconnected']);
    waitOutBackoff(h);
    vi.advanceTimersByTime(120_000);
    expect(h.sockets).toHaveLength(1);
    h.client.reconnect();
    expect(h.sockets).toHaveLength(2);
  });
});
