import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { GatewayCloseEvent } from 'agent-gateway-client/server';
import { describe, expect, it } from 'vitest';
import { startGateway, tokenFor, until } from '../integration/support.js';
import { peer, text } from './support.js';

// Backpressure on the Node gateway (the Durable Object runtime keeps its send buffers to itself):
// a reader that stops reading is dropped once its buffer passes the cap, and replays are paged.

const KiB = 1024;
const payload = 'x'.repeat(KiB - 80);

describe('slow readers (Node gateway)', () => {
  it('drops an authenticated reader that stops reading once its send buffer passes the cap (1013), and cuts it', async () => {
    const closes: GatewayCloseEvent[] = [];
    const gateway = await startGateway({
      agent: undefined,
      maxBufferedBytes: 256 * KiB,
      closeGraceMs: 200,
      maxLogEvents: 1_000,
      onClose: (event) => closes.push(event),
    });
    const reader = await peer(gateway.url, 'slow', { read: false });
    reader.send({ type: 'auth', token: tokenFor('slow') });
    reader.send({ type: 'resume', lastEventId: '' });
    await until(() => gateway.session('slow')?.subscriberCount === 1, 2_000, 'the live subscription');
    const session = gateway.openSession('slow');
    // Loopback kernel buffers take a few MB before the gateway's own buffer grows: publish up to 64 MB.
    let published = 0;
    while (closes.length === 0 && published < 64 * KiB * KiB) {
      for (let i = 0; i < 64; i++) session.publish(text(payload));
      published += 64 * KiB;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(closes).toEqual([
      { chatKey: 'slow', code: 1013, reason: 'Slow reader', bufferedBytes: expect.any(Number) },
    ]);
    const dropped = closes[0] as GatewayCloseEvent;
    expect(dropped.bufferedBytes).toBeGreaterThan(256 * KiB);
    expect(dropped.bufferedBytes).toBeLessThan(256 * KiB + 2 * KiB);
    await until(() => gateway.connectionCount === 0, 2_000, 'the cut');
    expect(gateway.bufferedBytes).toBe(0);
    expect(session.log.size).toBeLessThanOrEqual(1_000);
    console.log(
      `slow reader: dropped with ${dropped.bufferedBytes} bytes buffered (cap ${256 * KiB}) after ${Math.round(published / KiB)} KiB published`,
    );
  });

  it('pages a replay for readers that do not read: each holds about a page, not the log', async () => {
    const gateway = await startGateway({
      agent: undefined,
      maxLogEvents: 100_000,
      replayPageBytes: 16 * KiB,
    });
    const session = gateway.openSession('big');
    for (let i = 0; i < 20_000; i++) session.publish(text(payload)); // ~20 MB
    const readers = await Promise.all(
      Array.from({ length: 5 }, () => peer(gateway.url, 'big', { read: false })),
    );
    for (const reader of readers) {
      reader.send({ type: 'auth', token: tokenFor('big') });
      reader.send({ type: 'resume', lastEventId: '', wantStatus: true });
    }
    await until(() => gateway.bufferedBytes > 0, 5_000, 'the replays to fill the kernel buffers');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The old gateway queued the whole 20 MB log for each: 100 MB here.
    expect(gateway.bufferedBytes).toBeLessThan(5 * 3 * 16 * KiB);
    expect(gateway.connectionCount).toBe(5);
  });

  it('a replay of a large log never blocks the event loop for long, and still ends in order with resume_complete', async () => {
    const gateway = await startGateway({ agent: undefined, maxLogEvents: 200_000 });
    const session = gateway.openSession('replay');
    for (let i = 0; i < 100_000; i++) session.publish(text(`${i} `));
    const reader = await peer(gateway.url, 'replay');
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const started = performance.now();
    reader.send({ type: 'auth', token: tokenFor('replay') });
    reader.send({ type: 'resume', lastEventId: '', wantStatus: true });
    await until(() => reader.types().includes('resume_complete'), 20_000, 'the whole replay');
    const live = session.publish(text('live'));
    await until(() => reader.frames.at(-1)?.id === live.id, 2_000, 'the live event');
    delay.disable();
    const longestMs = delay.max / 1e6;
    console.log(
      `replay: 100000 events in ${Math.round(performance.now() - started)} ms, longest event-loop block ${longestMs.toFixed(1)} ms`,
    );
    const ids = reader.frames.filter((frame) => frame.id !== undefined).map((frame) => frame.id);
    expect(ids).toHaveLength(100_001);
    expect(new Set(ids).size).toBe(100_001);
    expect(reader.types().indexOf('resume_complete')).toBe(100_001);
    // The unpaged gateway blocked ~400 ms for a replay this size; a page takes a few ms (the bound
    // leaves room for a busy machine: other test files share the CPU).
    expect(longestMs).toBeLessThan(250);
  }, 30_000);
});
