import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness } from '../../support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('close codes', () => {
  it.each([1008, 4001, 4003, 4400, 4500, 4999, 1002, 1009])(
    '%i from the gateway is terminal: no retry, reason exposed',
    (code) => {
      const h = createHarness();
      h.client.connect('chat-1');
      h.authenticate().serverClose(code, 'Go away');
      expect(h.client.connectionStatus).toBe('disconnected');
      expect(h.client.getSnapshot()).toMatchObject({
        disconnectReason: 'terminalClose',
        lastClose: { code, reason: 'Go away' },
      });
      expect(h.names()).toEqual(['connected', 'error', 'disconnected']);
      const [error] = h.argsOf('error')[0] as [Error & { kind: string; details: { closeCode: number } }];
      expect(error).toMatchObject({ kind: 'closedByGateway', details: { closeCode: code } });
      expect(error.message).toContain('Go away');
      vi.advanceTimersByTime(600_000);
      expect(h.sockets).toHaveLength(1);
    },
  );

  it.each([1000, 1001, 1006, 1011, 4000, 4008, 4429])('%i is not terminal: the client reconnects', (code) => {
    const h = createHarness();
    h.client.connect('chat-1');
    h.authenticate().serverClose(code);
    expect(h.client.connectionStatus).toBe('reconnecting');
    vi.advanceTimersByTime(1_000);
    expect(h.sockets).toHaveLength(2);
  });

  it('a terminal close while connecting is terminal too', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    h.latest().serverClose(4003, 'Forbidden');
    expect(h.client.getSnapshot().disconnectReason).toBe('terminalClose');
  });
});
