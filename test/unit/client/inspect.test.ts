import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import type { InspectionEvent } from 'xstate';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness, referenceAuthSuccess, textDelta } from '../../support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const TOKEN = 'tok_inspect_0xC0FFEE';

/** Runs a short session with reconnect, re-auth, commands and a malformed frame. */
function runSession(inspect: (event: InspectionEvent) => void) {
  const h = createHarness({ token: TOKEN, inspect });
  h.client.connect('chat-1');
  const socket = h.authenticate();
  socket.receive(textDelta('1'));
  socket.receive('garbage');
  h.client.sendToolConfirmation('call-1', true);
  socket.receive({ type: 'auth_expired' });
  socket.receive(referenceAuthSuccess);
  socket.serverClose(1006);
  vi.advanceTimersByTime(1_000);
  h.authenticate();
  h.client.disconnect();
  return h;
}

describe('inspection', () => {
  it('reports the connection machine snapshots and events, and never the token', () => {
    const events: InspectionEvent[] = [];
    runSession((event) => events.push(event));
    const eventTypes = events.flatMap((event) => (event.type === '@xstate.event' ? [event.event.type] : []));
    expect(eventTypes).toEqual(
      expect.arrayContaining([
        'user.connect',
        'socket.open',
        'server.authSuccess',
        'user.command',
        'server.authExpired',
        'socket.closed',
      ]),
    );
    const states = events.flatMap((event) =>
      event.type === '@xstate.snapshot' && 'value' in event.snapshot
        ? [JSON.stringify(event.snapshot.value)]
        : [],
    );
    expect(states).toEqual(
      expect.arrayContaining(['{"link":"connecting"}', '{"link":"authenticating"}', '"reconnecting"']),
    );
    const actors = events
      .filter((event) => event.type === '@xstate.actor')
      .map((event) => (event.actorRef as { id?: string }).id);
    expect(actors).toEqual(expect.arrayContaining(['socket', 'environment']));
    const dump = events
      .map((event) => JSON.stringify({ ...event, actorRef: undefined, sourceRef: undefined }))
      .join('\n');
    expect(dump).not.toContain(TOKEN);
  });

  it('works with @statelyai/inspect (the Node and browser one-liners serialize through it), token-free', () => {
    const sent: StatelyInspectionEvent[] = [];
    const inspector = createInspector({ send: (event) => sent.push(event) });
    runSession(inspector.inspect.next?.bind(inspector.inspect) ?? (() => undefined));
    expect(sent.length).toBeGreaterThan(20);
    expect(sent.map((event) => event.type)).toEqual(
      expect.arrayContaining(['@xstate.actor', '@xstate.event', '@xstate.snapshot']),
    );
    expect(JSON.stringify(sent)).not.toContain(TOKEN);
    expect(JSON.stringify(sent)).toContain('heartbeatsSent');
  });
});
