import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness, referenceAuthSuccess } from '../../support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('connect and auth timeouts', () => {
  it('closes a socket that does not open within connectTimeoutMs and reconnects', () => {
    const h = createHarness({ connectTimeoutMs: 3_000 });
    h.client.connect('chat-1');
    vi.advanceTimersByTime(2_999);
    expect(h.client.connectionStatus).toBe('connecting');
    vi.advanceTimersByTime(1);
    expect(h.sockets[0]?.closedWith).toEqual({ code: 4000, reason: 'Connect timeout' });
    expect(h.client.connectionStatus).toBe('reconnecting');
    expect(h.sockets[0]?.listenerCount()).toBe(0);
  });

  it('closes a socket that gets no auth_success within authTimeoutMs and reconnects', () => {
    const h = createHarness({ authTimeoutMs: 2_000 });
    h.client.connect('chat-1');
    h.latest().open();
    vi.advanceTimersByTime(1_999);
    expect(h.client.connectionStatus).toBe('authenticating');
    vi.advanceTimersByTime(1);
    expect(h.sockets[0]?.closedWith).toEqual({ code: 4000, reason: 'Auth timeout' });
    expect(h.client.connectionStatus).toBe('reconnecting');
    expect(h.names()).toEqual(['reconnecting']);
  });

  it('with autoReconnect off, a timeout ends in disconnected', () => {
    const h = createHarness({ connectTimeoutMs: 1_000, autoReconnect: false });
    h.client.connect('chat-1');
    vi.advanceTimersByTime(1_000);
    expect(h.client.connectionStatus).toBe('disconnected');
    expect(h.names()).toEqual(['disconnected']);
  });

  it('ignores what the timed-out socket says afterwards', () => {
    const h = createHarness({ authTimeoutMs: 1_000 });
    h.client.connect('chat-1');
    const old = h.latest();
    old.open();
    vi.advanceTimersByTime(1_000);
    old.receive(referenceAuthSuccess);
    old.serverClose(1006);
    expect(h.client.connectionStatus).toBe('reconnecting');
    expect(h.names()).toEqual(['reconnecting']);
  });
});
