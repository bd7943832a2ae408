import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness, referenceAuthSuccess, textDelta } from '../../support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('a gateway that keeps answering with auth_expired', () => {
  it('gets at most maxReauthsPerLink re-authentications per link; then the link goes through backoff', () => {
    let tokens = 0;
    const h = createHarness({ getToken: () => `token-${++tokens}`, maxReauthsPerLink: 3 });
    h.client.connect('chat-1');
    const socket = h.authenticate();
    for (let i = 0; i < 3; i++) {
      socket.receive({ type: 'auth_expired' });
      socket.receive(referenceAuthSuccess);
    }
    expect(tokens).toBe(4);
    socket.receive({ type: 'auth_expired' });
    expect(socket.closedWith).toEqual({ code: 4000, reason: 'Too many re-authentications' });
    expect(tokens).toBe(4);
    expect(h.client.connectionStatus).toBe('reconnecting');
    expect(h.argsOf('reconnecting')).toEqual([[1_000, 1]]);
  });

  it('over many links the waits grow: the getToken calls stay bounded', () => {
    let tokens = 0;
    const h = createHarness({
      getToken: () => `token-${++tokens}`,
      maxReauthsPerLink: 2,
      maxReconnectAttempts: 0,
    });
    h.client.connect('chat-1');
    for (let link = 0; link < 6; link++) {
      const socket = h.authenticate();
      for (let i = 0; i < 3; i++) {
        socket.receive({ type: 'auth_expired' });
        if (socket.closedWith === undefined) socket.receive(referenceAuthSuccess);
      }
      socket.serverClose(1006);
      const [delay] = h.argsOf('reconnecting').at(-1) as [number];
      vi.advanceTimersByTime(delay);
    }
    expect(h.argsOf('reconnecting').map(([delay]) => delay)).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000,
    ]);
    expect(tokens).toBe(6 * 3);
  });

  it('re-authentications whose replay completes (short-lived tokens) never hit the cap', () => {
    const h = createHarness({ maxReauthsPerLink: 1 });
    h.client.connect('chat-1');
    const socket = h.authenticate();
    for (let token = 0; token < 10; token++) {
      vi.advanceTimersByTime(150);
      socket.receive({ type: 'auth_expired' });
      socket.receive(referenceAuthSuccess);
      socket.receive({ type: 'resume_complete', status: 'running' });
    }
    expect(socket.closedWith).toBeUndefined();
    expect(h.client.connectionStatus).toBe('connected');
  });
});

describe('a link that floods malformed frames', () => {
  it('is dropped past maxMalformedFramesPerSecond and retried, with backoff', () => {
    const h = createHarness({ maxMalformedFramesPerSecond: 100 });
    h.client.connect('chat-1');
    const socket = h.authenticate();
    for (let i = 0; i < 100; i++) socket.receive('not json');
    expect(socket.closedWith).toBeUndefined();
    socket.receive('not json');
    expect(socket.closedWith).toEqual({ code: 4000, reason: 'Too many malformed frames' });
    expect(h.client.connectionStatus).toBe('reconnecting');
    expect(h.client.stats.malformedFrames).toBe(101);
  });

  it('a steady trickle under the rate keeps the link', () => {
    const h = createHarness({ maxMalformedFramesPerSecond: 10, heartbeatIntervalMs: 60_000 });
    h.client.connect('chat-1');
    const socket = h.authenticate();
    for (let second = 0; second < 10; second++) {
      for (let i = 0; i < 10; i++) socket.receive('not json');
      socket.receive(textDelta(`ok-${second}`));
      vi.advanceTimersByTime(1_000);
    }
    expect(socket.closedWith).toBeUndefined();
    expect(h.client.stats.malformedFrames).toBe(100);
  });
});

describe('reconnect jitter', () => {
  it('by default spreads a wait over its second half: [nominal × 0.5, nominal]', () => {
    const delays: number[] = [];
    for (let seed = 0; seed < 200; seed++) {
      const h = createHarness({ reconnectJitter: undefined, jitterSeed: seed });
      h.client.connect('chat-1');
      h.latest().fail();
      delays.push(h.argsOf('reconnecting')[0]?.[0] as number);
      h.client.dispose();
    }
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1_000);
    expect(Math.min(...delays)).toBeLessThan(560);
    expect(Math.max(...delays)).toBeGreaterThan(940);
  });
});
