import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelayMs, drawJitter, nominalBackoffMs } from '../../../machines/backoff.js';
import { createHarness } from '../../support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** Drops every link before it opens, `times` times, waiting out each announced delay. */
function collectDelays(h: ReturnType<typeof createHarness>, times: number): number[] {
  for (let i = 0; i < times; i++) {
    h.latest().fail();
    const [delay] = h.argsOf('reconnecting').at(-1) as [number];
    vi.advanceTimersByTime(delay);
  }
  return h.argsOf('reconnecting').map(([delay]) => delay as number);
}

describe('reconnect backoff', () => {
  it('doubles from 1 s and caps at 30 s with jitter off, waiting exactly the announced delay', () => {
    const h = createHarness({ reconnectJitter: 0, maxReconnectAttempts: 0 });
    h.client.connect('chat-1');
    expect(collectDelays(h, 8)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(h.argsOf('reconnecting').map(([, attempt]) => attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('opens the next socket at the delay, not a millisecond before', () => {
    const h = createHarness({ initialReconnectDelayMs: 500 });
    h.client.connect('chat-1');
    h.latest().fail();
    vi.advanceTimersByTime(499);
    expect(h.sockets).toHaveLength(1);
    expect(h.client.connectionStatus).toBe('reconnecting');
    vi.advanceTimersByTime(1);
    expect(h.sockets).toHaveLength(2);
    expect(h.client.connectionStatus).toBe('connecting');
  });

  it('with jitter only ever shortens a wait: each delay lies in [nominal × (1 − j), nominal]', () => {
    const h = createHarness({ reconnectJitter: 0.5, maxReconnectAttempts: 0 });
    h.client.connect('chat-1');
    const delays = collectDelays(h, 40);
    delays.forEach((delay, index) => {
      const nominal = Math.min(1_000 * 2 ** index, 30_000);
      expect(delay).toBeGreaterThanOrEqual(nominal * 0.5);
      expect(delay).toBeLessThanOrEqual(nominal);
    });
    // Jitter is on: not every delay can be the nominal one.
    expect(delays.some((delay, index) => delay !== Math.min(1_000 * 2 ** index, 30_000))).toBe(true);
  });

  it('draws the jitter from jitterSeed, so a seed replays the same delays', () => {
    const delaysOf = (jitterSeed: number) => {
      const h = createHarness({ reconnectJitter: 0.5, jitterSeed, maxReconnectAttempts: 0 });
      h.client.connect('chat-1');
      return collectDelays(h, 5);
    };
    expect(delaysOf(42)).toEqual(delaysOf(42));
    expect(delaysOf(42)).not.toEqual(delaysOf(43));
    let seed = 42;
    const expected = [1_000, 2_000, 4_000, 8_000, 16_000].map((nominal) => {
      const draw = drawJitter(seed);
      seed = draw.seed;
      return Math.round(nominal * (1 - 0.5 * draw.fraction));
    });
    expect(delaysOf(42)).toEqual(expected);
  });

  it('honours custom initial and cap', () => {
    const h = createHarness({ initialReconnectDelayMs: 100, maxReconnectDelayMs: 350 });
    h.client.connect('chat-1');
    expect(collectDelays(h, 4)).toEqual([100, 200, 350, 350]);
  });

  it('exposes the schedule as pure functions', () => {
    const config = { initialReconnectDelayMs: 1_000, maxReconnectDelayMs: 30_000, reconnectJitter: 0.25 };
    expect(nominalBackoffMs(1, config)).toBe(1_000);
    expect(nominalBackoffMs(6, config)).toBe(30_000);
    expect(backoffDelayMs(2, config, 0)).toBe(2_000);
    expect(backoffDelayMs(2, config, 0.999_999)).toBe(1_500);
    // The draws are spread over [0, 1).
    let seed = 7;
    const fractions = Array.from({ length: 1_000 }, () => {
      const draw = drawJitter(seed);
      seed = draw.seed;
      return draw.fraction;
    });
    expect(Math.min(...fractions)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...fractions)).toBeLessThan(1);
    expect(fractions.filter((fraction) => fraction < 0.5).length).toBeGreaterThan(400);
    expect(fractions.filter((fraction) => fraction < 0.5).length).toBeLessThan(600);
  });
});
