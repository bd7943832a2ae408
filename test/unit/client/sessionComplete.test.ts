import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness, textDelta } from '../../support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('session_complete', () => {
  it('is terminal: emits session_complete then disconnected, closes with 1000 and never reconnects', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const socket = h.authenticate();
    socket.receive(textDelta('1'));
    socket.receive({ type: 'session_complete', id: '2', summary: 'All done' });
    expect(h.names()).toEqual(['connected', 'agent_event', 'session_complete', 'disconnected']);
    expect(h.argsOf('session_complete')).toEqual([
      [{ type: 'session_complete', id: '2', summary: 'All done' }],
    ]);
    expect(h.client.getSnapshot().disconnectReason).toBe('sessionComplete');
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'Client disconnect' });
    expect(h.client.lastEventId).toBe('2');
    socket.serverClose(1000);
    h.client.reconnect();
    vi.advanceTimersByTime(600_000);
    expect(h.sockets).toHaveLength(1);
  });

  it('is delivered once even when a replay repeats it; a reconnect to the ended session is told its end again', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    h.authenticate().receive({ type: 'session_complete', id: '9' });
    h.client.connect('chat-1'); // e.g. a page that reconnects to the same session
    const replay = h.authenticate();
    replay.receive({ type: 'session_complete', id: '9' });
    replay.receive({ type: 'resume_complete', status: 'completed' });
    expect(h.argsOf('session_complete')).toEqual([
      [{ type: 'session_complete', id: '9' }],
      [{ type: 'session_complete', id: '9' }],
    ]);
    expect(h.client.getSnapshot().disconnectReason).toBe('sessionComplete');
    expect(h.client.stats.duplicateFrames).toBe(1);
  });

  it('commands issued after the session ended are rejected', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    h.authenticate().receive({ type: 'session_complete', id: '1' });
    expect(h.client.sendInterrupt()).toMatchObject({ status: 'rejected', reason: 'notConnected' });
  });
});

describe('session_complete while re-authenticating', () => {
  it('ends the session too (a gateway may finish before answering the new auth)', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const socket = h.authenticate();
    socket.receive({ type: 'auth_expired' });
    expect(h.client.connectionStatus).toBe('authenticating');
    socket.receive({ type: 'session_complete', id: 'end' });
    expect(h.client.getSnapshot().disconnectReason).toBe('sessionComplete');
    expect(h.argsOf('session_complete')).toEqual([[{ type: 'session_complete', id: 'end' }]]);
  });
});
