import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness, originalAuthSuccess } from '../../support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('status_changed: the connection status, as the original client reports it', () => {
  it('tells every change across a drop and a user disconnect, each once', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    h.authenticate(originalAuthSuccess).serverClose(1006);
    vi.advanceTimersByTime(1_000);
    h.authenticate(originalAuthSuccess);
    h.client.disconnect();
    expect(h.statuses()).toEqual([
      'connecting',
      'authenticating',
      'connected',
      'reconnecting',
      'connecting',
      'authenticating',
      'connected',
      'disconnected',
    ]);
  });

  it('comes before connected, reconnecting and disconnected, with the status the client already reports', () => {
    const h = createHarness();
    const seen: string[] = [];
    h.client.on('status_changed', (status) =>
      seen.push(`status_changed:${status}=${h.client.connectionStatus}`),
    );
    for (const event of ['connected', 'reconnecting', 'disconnected'] as const)
      h.client.on(event, () => seen.push(event));
    h.client.connect('chat-1');
    h.authenticate().serverClose(1006);
    h.client.disconnect();
    expect(seen).toEqual([
      'status_changed:connecting=connecting',
      'status_changed:authenticating=authenticating',
      'status_changed:connected=connected',
      'connected',
      'status_changed:reconnecting=reconnecting',
      'reconnecting',
      'status_changed:disconnected=disconnected',
      'disconnected',
    ]);
  });

  it('tells nothing for a change the status does not show (re-authentication counts: it is authenticating)', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const socket = h.authenticate();
    socket.receive({ type: 'resume_complete', status: 'running' }); // resuming → live: still connected
    vi.advanceTimersByTime(30_000);
    socket.receive({ type: 'heartbeat_ack' });
    expect(h.statuses()).toEqual(['connecting', 'authenticating', 'connected']);
    socket.receive({ type: 'auth_expired' });
    socket.receive({ type: 'auth_success', capabilities: ['command_id', 'resume_complete', 'auth_expired'] });
    expect(h.statuses()).toEqual([
      'connecting',
      'authenticating',
      'connected',
      'authenticating',
      'connected',
    ]);
  });

  it('session statuses have their own event: session_status, and status_update for the frame', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const socket = h.authenticate();
    const frame = { type: 'status_change', id: 'e1', status: 'waiting_input' };
    socket.receive(frame);
    socket.receive({ type: 'resume_complete', status: 'waiting_input' });
    expect(h.argsOf('status_update')).toEqual([[frame]]);
    expect(h.argsOf('session_status')).toEqual([['waiting_input']]);
    expect(h.statuses()).toEqual(['connecting', 'authenticating', 'connected']);
  });
});
