import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness, referenceAuthSuccess } from '../../support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

// The next macrotask: by then every microtask queued so far, and all they queue, has run. Taken
// before the fake timers replace setImmediate.
const { setImmediate: realSetImmediate } = globalThis;
const microtasksDrained = () => new Promise<void>((resolve) => realSetImmediate(resolve));

describe('authentication', () => {
  it('auth_failed is terminal: auth_failed(reason), disconnected, and no retry', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    h.latest().open();
    h.latest().receive({ type: 'auth_failed', reason: 'Invalid token' });
    h.latest().serverClose(4001, 'Unauthorized');
    expect(h.client.connectionStatus).toBe('disconnected');
    expect(h.client.getSnapshot()).toMatchObject({
      disconnectReason: 'authFailed',
      authFailure: 'Invalid token',
    });
    expect(h.names()).toEqual(['auth_failed', 'disconnected']);
    expect(h.argsOf('auth_failed')).toEqual([['Invalid token']]);
    vi.advanceTimersByTime(600_000);
    h.client.reconnect(); // not after auth_failed
    expect(h.sockets).toHaveLength(1);
  });

  it('auth_expired: calls getToken again and re-sends auth on the same socket, then resumes', async () => {
    let n = 0;
    const getToken = vi.fn(() => `token-${++n}`);
    const h = createHarness({ token: undefined, getToken });
    h.client.connect('chat-1');
    const socket = h.authenticate();
    socket.receive({ type: 'agent_event', id: 'e1', event: { kind: 'thinking', content: 'hm' } });
    socket.receive({ type: 'auth_expired' });
    expect(h.client.connectionStatus).toBe('authenticating');
    expect(socket.frames.at(-1)).toEqual({ type: 'auth', token: 'token-2' });
    socket.receive(referenceAuthSuccess);
    expect(socket.frames.at(-1)).toEqual({ type: 'resume', lastEventId: 'e1', wantStatus: true });
    expect(h.sockets).toHaveLength(1);
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(h.client.connectionStatus).toBe('connected');
  });

  it('waits for an async getToken before writing auth', async () => {
    let resolve!: (token: string) => void;
    const h = createHarness({ token: undefined, getToken: () => new Promise<string>((r) => (resolve = r)) });
    h.client.connect('chat-1');
    h.latest().open();
    expect(h.latest().sent).toEqual([]);
    resolve('async-token');
    await vi.waitFor(() => expect(h.latest().frames).toEqual([{ type: 'auth', token: 'async-token' }]));
  });

  it('a failing token provider is reported and the link retried with backoff', async () => {
    const h = createHarness({
      token: undefined,
      getToken: () => Promise.reject(new Error('refresh endpoint down')),
    });
    h.client.connect('chat-1');
    h.latest().open();
    await vi.waitFor(() => expect(h.client.connectionStatus).toBe('reconnecting'));
    expect(h.latest().closedWith).toEqual({ code: 4000, reason: 'Token unavailable' });
    expect(h.errors()[0]?.message).toBe('Token provider failed: refresh endpoint down');
  });

  it('a token provider that returns nothing is a token failure', () => {
    const h = createHarness({ token: undefined, getToken: () => '' });
    h.client.connect('chat-1');
    h.latest().open();
    expect(h.client.connectionStatus).toBe('reconnecting');
    expect(h.errors()[0]?.message).toMatch(/no token/);
  });

  it('updateToken is used by the next auth and keeps the current link', () => {
    const h = createHarness({ token: 'old' });
    h.client.connect('chat-1');
    const socket = h.authenticate();
    h.client.updateToken('new');
    expect(h.client.connectionStatus).toBe('connected');
    expect(h.sockets).toHaveLength(1);
    socket.receive({ type: 'auth_expired' });
    expect(socket.frames.at(-1)).toEqual({ type: 'auth', token: 'new' });
  });

  it('a stale async token is never written after a newer auth request', async () => {
    const resolvers: Array<(token: string) => void> = [];
    const tokens: Array<Promise<string>> = [];
    const h = createHarness({
      token: undefined,
      getToken: () => {
        const token = new Promise<string>((r) => resolvers.push(r));
        tokens.push(token);
        return token;
      },
    });
    h.client.connect('chat-1');
    h.latest().open();
    resolvers[0]?.('first');
    await vi.waitFor(() => expect(h.latest().frameTypes).toEqual(['auth']));
    h.latest().receive(referenceAuthSuccess);
    h.latest().receive({ type: 'auth_expired' });
    h.latest().serverClose(1006);
    resolvers[1]?.('late');
    // What would prove it wrong is the client handling the late token: wait for that to be over.
    await tokens[1];
    await microtasksDrained();
    expect(tokens).toHaveLength(2);
    expect(h.sockets[0]?.frames.filter((frame) => frame.type === 'auth')).toEqual([
      { type: 'auth', token: 'first' },
    ]);
  });
});

describe('a slow token provider', () => {
  it('never writes a stray auth after the gateway already answered auth_success', async () => {
    let resolve!: (token: string) => void;
    let token!: Promise<string>;
    const h = createHarness({
      token: undefined,
      getToken: () => (token = new Promise<string>((r) => (resolve = r))),
    });
    h.client.connect('chat-1');
    const socket = h.latest();
    socket.open();
    socket.receive(referenceAuthSuccess); // a gateway that did not wait for our auth
    resolve('late-token');
    // What would prove it wrong is the client handling the late token: wait for that to be over.
    await token;
    await microtasksDrained();
    expect(socket.frameTypes).toEqual(['resume']);
  });
});
