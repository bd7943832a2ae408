import { createGatewayStore } from 'agent-gateway-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness, textDelta } from '../../support/harness.js';
import { textOf } from '../../support/storeText.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('createGatewayStore', () => {
  it('batches session notifications (one per interval) but reports connection changes at once', () => {
    const h = createHarness();
    const store = createGatewayStore(h.client, { renderBatch: 50 });
    let notified = 0;
    store.subscribe(() => notified++);
    h.client.connect('chat-1');
    const socket = h.authenticate();
    const afterConnect = notified;
    expect(store.getSnapshot().status).toBe('connected');
    const before = store.getSnapshot();
    for (let i = 0; i < 1_000; i++) socket.receive(textDelta(`${i}`, 'x'));
    expect(notified).toBe(afterConnect);
    expect(store.getSnapshot()).toBe(before); // stable between notifications (no tearing)
    vi.advanceTimersByTime(50);
    expect(notified).toBe(afterConnect + 1);
    expect(textOf(store)).toHaveLength(1_000);
  });

  it('batches error notifications too: a flood of malformed frames re-renders once per interval', () => {
    const h = createHarness({ maxMalformedFramesPerSecond: 10_000 });
    const store = createGatewayStore(h.client, { renderBatch: 50 });
    let notified = 0;
    store.subscribe(() => notified++);
    h.client.connect('chat-1');
    const socket = h.authenticate();
    const afterConnect = notified;
    for (let i = 0; i < 1_000; i++) socket.receive('not json');
    // One render for the machine starting to count malformed frames (a state change), none per frame.
    expect(notified).toBe(afterConnect + 1);
    vi.advanceTimersByTime(50);
    expect(notified).toBe(afterConnect + 2);
    expect(store.getSnapshot().error).toMatchObject({ name: 'FrameError', kind: 'notJson' });
    expect(h.logger.warn).toHaveBeenCalledTimes(1);
  });

  it('starts the view over when the client connects to another chatKey', () => {
    const h = createHarness();
    const store = createGatewayStore(h.client, { renderBatch: 'sync' });
    h.client.connect('chat-1');
    h.authenticate().receive(textDelta('1', 'first session'));
    expect(textOf(store)).toBe('first session');
    h.client.disconnect();
    h.client.connect('chat-2');
    expect(textOf(store)).toBe('');
    expect(store.getSnapshot().session.status).toBeUndefined();
  });

  it('keeps the last error and stops everything on dispose', () => {
    const h = createHarness();
    const store = createGatewayStore(h.client, { renderBatch: 100 });
    const listener = vi.fn();
    store.subscribe(listener);
    h.client.connect('chat-1');
    const socket = h.authenticate();
    socket.receive('oops');
    expect(store.getSnapshot().error?.name).toBe('FrameError');
    socket.receive(textDelta('1'));
    store.dispose();
    listener.mockClear();
    vi.advanceTimersByTime(1_000);
    socket.receive(textDelta('2'));
    expect(listener).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBeGreaterThan(0); // the client's own heartbeat is still running
    h.client.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });
});
