import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type FakeEnvironment, installFakeEnvironment } from '../../support/browser.js';
import { createHarness, referenceAuthSuccess } from '../../support/harness.js';

let browser: FakeEnvironment;
beforeEach(() => {
  vi.useFakeTimers();
  browser = installFakeEnvironment();
});
afterEach(() => {
  browser.uninstall();
  vi.useRealTimers();
});

describe('browser online / visibility', () => {
  it('coming online skips the rest of the backoff', () => {
    const h = createHarness({ watchEnvironment: true, initialReconnectDelayMs: 20_000 });
    h.client.connect('chat-1');
    h.latest().fail();
    expect(h.client.connectionStatus).toBe('reconnecting');
    browser.goOnline();
    expect(h.client.connectionStatus).toBe('connecting');
    expect(h.sockets).toHaveLength(2);
  });

  it('the page becoming visible skips the wait; becoming hidden does not', () => {
    const h = createHarness({ watchEnvironment: true, initialReconnectDelayMs: 20_000 });
    h.client.connect('chat-1');
    h.latest().fail();
    browser.hide();
    expect(h.client.connectionStatus).toBe('reconnecting');
    browser.becomeVisible();
    expect(h.sockets).toHaveLength(2);
  });

  it('after giving up, coming online starts a fresh attempt series', () => {
    const h = createHarness({ watchEnvironment: true, maxReconnectAttempts: 1 });
    h.client.connect('chat-1');
    h.latest().fail();
    vi.advanceTimersByTime(1_000);
    h.latest().fail();
    expect(h.client.getSnapshot().disconnectReason).toBe('gaveUp');
    browser.goOnline();
    expect(h.client.connectionStatus).toBe('connecting');
    expect(h.client.getSnapshot().attempt).toBe(0);
  });

  it.each(['userDisconnect', 'authFailed', 'sessionComplete'] as const)(
    'never reconnects after %s',
    (reason) => {
      const h = createHarness({ watchEnvironment: true });
      h.client.connect('chat-1');
      h.latest().open();
      if (reason === 'userDisconnect') h.client.disconnect();
      if (reason === 'authFailed') h.latest().receive({ type: 'auth_failed', reason: 'nope' });
      if (reason === 'sessionComplete') {
        h.latest().receive(referenceAuthSuccess);
        h.latest().receive({ type: 'session_complete', id: '1' });
      }
      expect(h.client.getSnapshot().disconnectReason).toBe(reason);
      browser.goOnline();
      browser.becomeVisible();
      expect(h.sockets).toHaveLength(1);
    },
  );

  it('stops listening when disposed', () => {
    const h = createHarness({ watchEnvironment: true });
    expect(browser.listeners()).toBe(2);
    h.client.dispose();
    expect(browser.listeners()).toBe(0);
  });
});
