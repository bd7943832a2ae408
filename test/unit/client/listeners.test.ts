import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness, textDelta } from '../../support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('listeners', () => {
  it('a throwing listener breaks neither the client nor the other listeners', () => {
    const h = createHarness();
    const after: string[] = [];
    h.client.on('agent_event', () => {
      throw new Error('listener bug');
    });
    h.client.on('agent_event', (message) => after.push(message.id));
    h.client.on('connected', () => {
      throw new Error('connected listener bug');
    });
    h.client.connect('chat-1');
    const socket = h.authenticate();
    socket.receive(textDelta('1'));
    socket.receive(textDelta('2'));
    expect(after).toEqual(['1', '2']);
    expect(h.client.connectionStatus).toBe('connected');
    expect(h.client.lastEventId).toBe('2');
    expect(h.logger.error).toHaveBeenCalledTimes(3);
    expect(h.logger.error.mock.calls[0]?.[0]).toBe('[AgentGatewayClient] A "connected" listener threw:');
    // The machine is still in charge: heartbeats keep flowing.
    vi.advanceTimersByTime(30_000);
    expect(socket.frameTypes.at(-1)).toBe('heartbeat');
  });

  it('off removes a listener; disconnect keeps listeners; dispose drops them all', () => {
    const h = createHarness();
    const seen: string[] = [];
    const listener = (message: { id: string }) => seen.push(message.id);
    h.client.on('agent_event', listener);
    h.client.connect('chat-1');
    h.authenticate().receive(textDelta('1'));
    h.client.off('agent_event', listener);
    h.latest().receive(textDelta('2'));
    h.client.on('agent_event', listener);
    h.client.disconnect();
    h.client.connect('chat-1');
    h.authenticate().receive(textDelta('3'));
    expect(seen).toEqual(['1', '3']);
    h.client.dispose();
    expect(h.latest().closedWith).toEqual({ code: 1000, reason: 'Client disconnect' });
    h.client.connect('chat-1'); // inert after dispose
    expect(h.sockets).toHaveLength(2);
    expect(h.client.sendInterrupt()).toMatchObject({ status: 'rejected', reason: 'notConnected' });
  });

  it('the same listener added twice is called once; removing one never added changes nothing', () => {
    const h = createHarness();
    const seen: string[] = [];
    const listener = (message: { id: string }) => seen.push(message.id);
    const other = (message: { id: string }) => seen.push(`other ${message.id}`);
    h.client.on('agent_event', listener);
    h.client.on('agent_event', listener);
    h.client.off('agent_event', () => {});
    h.client.on('agent_event', other);
    h.client.connect('chat-1');
    h.authenticate().receive(textDelta('1'));
    h.client.off('agent_event', listener);
    h.latest().receive(textDelta('2'));
    expect(seen).toEqual(['1', 'other 1', 'other 2']);
  });

  it('a throwing snapshot subscriber is isolated too', () => {
    const h = createHarness();
    h.client.subscribe(() => {
      throw new Error('subscriber bug');
    });
    h.client.connect('chat-1');
    h.authenticate();
    expect(h.client.connectionStatus).toBe('connected');
    expect(h.logger.error).toHaveBeenCalled();
  });
});

describe('dispose from inside a client event listener', () => {
  it('still disconnects: the socket closes and the status ends disconnected', async () => {
    const h = createHarness();
    h.client.on('connected', () => h.client.dispose());
    h.client.connect('chat-1');
    const socket = h.authenticate();
    await Promise.resolve();
    expect(h.client.connectionStatus).toBe('disconnected');
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'Client disconnect' });
    expect(h.client.actor.getSnapshot().status).toBe('stopped');
  });

  it('reports queued commands as dropped before the listeners go, and opens no new socket', async () => {
    const h = createHarness();
    h.client.connect('chat-1');
    h.authenticate().serverClose(1006);
    const queued = h.client.sendInterrupt();
    h.client.on('disconnected', () => {
      h.client.connect('chat-1'); // inert after dispose
      expect(h.sockets).toHaveLength(2);
      expect(h.client.sendInterrupt()).toMatchObject({ status: 'rejected', reason: 'notConnected' });
    });
    h.client.on('reconnecting', () => h.client.dispose());
    h.client.reconnect(); // from reconnecting: a new link…
    h.latest().fail(); // …which drops again: `reconnecting` fires, and the listener disposes
    // Whatever the client still had pending (a backoff, a deferred connect) runs now: nothing may open a socket.
    await vi.runAllTimersAsync();
    expect(h.client.connectionStatus).toBe('disconnected');
    expect(h.commandOutcomes('commandDropped')).toEqual([
      [queued.commandId, { type: 'interrupt' }, 'userDisconnect'],
    ]);
    expect(h.sockets).toHaveLength(2);
  });
});
