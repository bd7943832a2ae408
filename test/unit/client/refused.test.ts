import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness } from '../../support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const URL_OF_CHAT = 'wss://gateway.test/ws?chatKey=chat-1';

describe('a gateway that refuses the WebSocket upgrade, or is not there', () => {
  it.each([400, 401, 403, 404, 410])(
    'HTTP %i: the session ends at once (refused), the error names the URL and the status, queued commands are told dropped',
    (status) => {
      const h = createHarness();
      h.client.connect('chat-1');
      h.client.sendInterrupt();
      h.latest().emitError(`Unexpected server response: ${status}`);
      expect(h.client.getSnapshot().disconnectReason).toBe('refused');
      expect(h.errors().map(({ kind, message }) => ({ kind, message }))).toEqual([
        {
          kind: 'refused',
          message: `The gateway at ${URL_OF_CHAT} refused the WebSocket upgrade (HTTP ${status})`,
        },
        { kind: 'commandDropped', message: 'Command "interrupt" was dropped (refused)' },
      ]);
      expect(h.errors()[0]).toMatchObject({ details: { kind: 'refused', status } });
      h.latest().serverClose(1006);
      vi.advanceTimersByTime(60_000);
      expect(h.sockets).toHaveLength(1);
    },
  );

  it('HTTP 503 (or 429, 502): told as a link error naming the URL, then retried like any lost link', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    h.latest().fail('Unexpected server response: 503');
    expect(h.errors().map(({ kind, message }) => ({ kind, message }))).toEqual([
      { kind: 'link', message: `The gateway at ${URL_OF_CHAT} refused the WebSocket upgrade (HTTP 503)` },
    ]);
    expect(h.client.connectionStatus).toBe('reconnecting');
  });

  it('nothing listening: retried, and the error says there is no gateway at the URL', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    h.latest().fail('connect ECONNREFUSED 127.0.0.1:9');
    expect(h.errors()[0]?.message).toBe(`No gateway at ${URL_OF_CHAT} (connect ECONNREFUSED 127.0.0.1:9)`);
    expect(h.client.connectionStatus).toBe('reconnecting');
  });

  it("a browser's error event, which says nothing, is told with the URL", () => {
    const h = createHarness();
    h.client.connect('chat-1');
    h.latest().fail('');
    expect(h.errors()[0]?.message).toBe(`WebSocket error at ${URL_OF_CHAT}`);
  });
});
