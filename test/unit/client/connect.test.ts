import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness, referenceAuthSuccess } from '../../support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('connect → authenticate → resume', () => {
  it('walks disconnected → connecting → authenticating → connected and emits connected once', () => {
    const h = createHarness();
    expect(h.client.connectionStatus).toBe('disconnected');
    expect(h.client.getSnapshot().disconnectReason).toBe('idle');
    h.client.connect('chat-1');
    expect(h.client.connectionStatus).toBe('connecting');
    expect(h.sockets).toHaveLength(1);
    h.latest().open();
    expect(h.client.connectionStatus).toBe('authenticating');
    h.latest().receive(referenceAuthSuccess);
    expect(h.client.connectionStatus).toBe('connected');
    expect(h.names()).toEqual(['connected']);
    expect(h.client.getSnapshot().disconnectReason).toBeUndefined();
  });

  it('writes auth with the static token synchronously inside the open handler, then nothing until auth_success', () => {
    const h = createHarness({ token: 'tok-1' });
    h.client.connect('chat-1');
    const socket = h.latest();
    socket.open();
    expect(socket.sent).toEqual(['{"token":"tok-1","type":"auth"}']);
  });

  it('sends resume with wantStatus right after every auth_success, from "" the first time', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const socket = h.authenticate();
    expect(socket.frames).toEqual([
      { type: 'auth', token: 'secret-token' },
      { type: 'resume', lastEventId: '', wantStatus: true },
    ]);
  });

  it('omits wantStatus when the option turns it off', () => {
    const h = createHarness({ wantStatus: false });
    h.client.connect('chat-1');
    expect(h.authenticate().frames[1]).toEqual({ type: 'resume', lastEventId: '' });
  });

  it('starts from the lastEventId option on the first connect', () => {
    const h = createHarness({ lastEventId: 'evt-41' });
    h.client.connect('chat-1');
    expect(h.authenticate().frames[1]).toEqual({ type: 'resume', lastEventId: 'evt-41', wantStatus: true });
  });

  it('opens no second socket when connect is called while a session is active, in every active state', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    h.client.connect('chat-1'); // connecting
    h.latest().open();
    h.client.connect('chat-1'); // authenticating
    h.latest().receive(referenceAuthSuccess);
    h.client.connect('chat-2'); // connected
    expect(h.sockets).toHaveLength(1);
    h.latest().serverClose(1006);
    expect(h.client.connectionStatus).toBe('reconnecting');
    h.client.connect('chat-1'); // waiting to reconnect
    expect(h.sockets).toHaveLength(1);
    vi.advanceTimersByTime(1_000);
    expect(h.sockets).toHaveLength(2);
    expect(h.client.getSnapshot().chatKey).toBe('chat-1');
  });

  it('refuses an empty chatKey and a missing token or gatewayUrl with clear errors', async () => {
    const h = createHarness();
    expect(() => h.client.connect('')).toThrow(/chatKey/);
    const { AgentGatewayClient } = await import('agent-gateway-client');
    expect(() => new AgentGatewayClient({ gatewayUrl: 'https://gw', WebSocket: h.latest as never })).toThrow(
      /token \(a non-empty string\) or getToken/,
    );
    expect(
      () => new AgentGatewayClient({ gatewayUrl: 'https://gw', token: '', WebSocket: h.latest as never }),
    ).toThrow(/token \(a non-empty string\) or getToken/);
    expect(
      () => new AgentGatewayClient({ gatewayUrl: 'gw', token: 't', WebSocket: h.latest as never }),
    ).toThrow(/gatewayUrl/);
    expect(() => new AgentGatewayClient({ gatewayUrl: 'https://gw', token: 't' })).toThrow(
      /WebSocket option/,
    );
    expect(
      () =>
        new AgentGatewayClient({
          gatewayUrl: 'https://gw',
          token: 't',
          WebSocket: h.latest as never,
          heartbeatIntervalMs: -1,
        }),
    ).toThrow(RangeError);
  });

  it('refuses option values that cannot work, naming the option and the value', async () => {
    const h = createHarness();
    const { AgentGatewayClient } = await import('agent-gateway-client');
    const create = (options: Record<string, unknown>) => () =>
      new AgentGatewayClient({
        gatewayUrl: 'https://gw',
        token: 't',
        WebSocket: h.latest as never,
        ...options,
      });
    expect(create({ reconnectJitter: 1.5 })).toThrow(/reconnectJitter must be within \[0, 1\] \(got 1.5\)/);
    expect(create({ replayTimeoutMs: Number.NaN })).toThrow(
      /replayTimeoutMs must be a finite number ≥ 0 \(got NaN\)/,
    );
    expect(create({ maxHeldBytes: Number.POSITIVE_INFINITY })).toThrow(/maxHeldBytes .*Infinity/);
    expect(create({ maxHeldFrames: '10' })).toThrow(/maxHeldFrames .*got 10/);
    expect(create({ memberEchoWindowMs: -5 })).toThrow(RangeError);
    expect(create({ backoffReset: 'sometimes' })).toThrow(
      /backoffReset must be one of uptime, open \(got sometimes\)/,
    );
    expect(create({ outboxOverflow: 'dropNewest' })).toThrow(
      /outboxOverflow must be one of rejectNew, dropOldest/,
    );
    expect(create({ resumeOnConnect: 'yes' })).toThrow(/resumeOnConnect must be true or false/);
    // The edges that work are taken.
    expect(
      create({ reconnectJitter: 1, replayTimeoutMs: 0, backoffReset: 'open', reauthOnExpiry: false }),
    ).not.toThrow();
  });

  it('exposes an immutable snapshot that changes only with the machine, and notifies subscribers', () => {
    const h = createHarness();
    const seen: string[] = [];
    const unsubscribe = h.client.subscribe(() => seen.push(h.client.getSnapshot().status));
    const first = h.client.getSnapshot();
    expect(h.client.getSnapshot()).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    h.client.connect('chat-1');
    h.authenticate();
    expect(h.client.getSnapshot()).not.toBe(first);
    expect(seen).toEqual(['connecting', 'authenticating', 'connected']);
    unsubscribe();
    h.client.disconnect();
    expect(seen).toHaveLength(3);
  });
});
