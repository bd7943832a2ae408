import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness, referenceAuthSuccess, textDelta } from '../../support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('disconnect', () => {
  it.each(['connecting', 'authenticating', 'connected', 'reconnecting'] as const)(
    'from %s closes with 1000 "Client disconnect", emits disconnected, and never reconnects',
    (from) => {
      const h = createHarness();
      h.client.connect('chat-1');
      if (from !== 'connecting') h.latest().open();
      if (from === 'connected' || from === 'reconnecting') h.latest().receive(referenceAuthSuccess);
      if (from === 'reconnecting') h.latest().serverClose(1006);
      expect(h.client.connectionStatus).toBe(from);
      h.client.disconnect();
      expect(h.client.connectionStatus).toBe('disconnected');
      expect(h.client.getSnapshot().disconnectReason).toBe('userDisconnect');
      expect(h.names().at(-1)).toBe('disconnected');
      if (from !== 'reconnecting')
        expect(h.latest().closedWith).toEqual({ code: 1000, reason: 'Client disconnect' });
      vi.advanceTimersByTime(600_000);
      expect(h.sockets).toHaveLength(1);
    },
  );

  it('removes the adapter listeners from the old socket and ignores what it says afterwards', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const socket = h.authenticate();
    h.client.disconnect();
    expect(socket.listenerCount()).toBe(0);
    socket.receive(textDelta('late'));
    expect(h.argsOf('agent_event')).toHaveLength(0);
  });

  it('is a no-op while disconnected, and after gave-up turns it into a user disconnect', () => {
    const h = createHarness({ maxReconnectAttempts: 0, autoReconnect: false });
    h.client.disconnect();
    expect(h.names()).toEqual([]);
    h.client.connect('chat-1');
    h.latest().fail();
    expect(h.client.getSnapshot().disconnectReason).toBe('linkLost');
    h.client.disconnect();
    expect(h.client.getSnapshot().disconnectReason).toBe('userDisconnect');
    expect(h.names().filter((name) => name === 'disconnected')).toHaveLength(1);
  });
});
