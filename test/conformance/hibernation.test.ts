import type { SessionStatus } from 'agent-gateway-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, idsOf, until } from '../integration/support.js';
import { type CloudflareRunningEngine, cloudflareEngine, engines } from './engines.js';

// workerd evicts an idle Durable Object after ~10 s of inactivity (no request, no event reaching
// it; runtime auto-responses do not count). Miniflare has no option to do it sooner.
const EVICTION_WAIT_MS = 10_500;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(engines.includes(cloudflareEngine))('a Durable Object session across real hibernation', () => {
  let engine: CloudflareRunningEngine;
  beforeAll(async () => {
    engine = await cloudflareEngine.start();
  });
  afterAll(() => engine.close());

  it('is evicted while a socket stays open; the socket still gets live events, and a resume replays exactly the missing events from SQL', async () => {
    const started = performance.now();
    const session = engine.gateway.runtime.session('sleepy');
    const text = (content: string) =>
      ({ type: 'agent_event', event: { kind: 'text_delta', content } }) as const;
    await session.append([{ type: 'status_change', status: 'running' }, text('Hello'), text(' world')]);

    // Stays connected throughout, heartbeating every 500 ms: acks come from the runtime, not the object.
    const watcher = connectClient(engine, 'sleepy', {
      approve: 'manual',
      answer: 'manual',
      heartbeatIntervalMs: 500,
      heartbeatTimeoutMs: 1_500,
    });
    watcher.client.connect('sleepy');
    // Leaves after the first three events, remembering where it was.
    const leaver = connectClient(engine, 'sleepy', { approve: 'manual', answer: 'manual' });
    leaver.client.connect('sleepy');
    await until(() => watcher.record.frames.length === 3 && leaver.record.frames.length === 3, 5_000, 'both');
    const lastSeen = leaver.client.lastEventId;
    leaver.client.disconnect();

    const missed = await session.append([
      text('!'),
      { type: 'status_change', status: 'waiting_input' },
      { type: 'input_request', requestId: 'input-1', prompt: 'Which day?' },
    ]);
    await until(() => watcher.record.frames.length === 6, 5_000, 'the live events');
    const before = await session.state();

    // Eviction, observed: the object reports a new in-memory instance once woken again.
    let after = before;
    for (let attempt = 0; attempt < 2 && after.instance.id === before.instance.id; attempt++) {
      await pause(EVICTION_WAIT_MS);
      after = await session.state();
    }
    const evictedAfterMs = performance.now() - started;
    expect(after.instance.id).not.toBe(before.instance.id);
    expect(after).toMatchObject({ status: 'waiting_input', eventCount: 6, lastEventId: missed.at(-1)?.id });
    expect(after.sockets).toBe(1);
    expect(watcher.sockets).toHaveLength(1);
    expect(watcher.record.reconnects).toBe(0);
    expect(watcher.client.connectionStatus).toBe('connected');

    // A resume served by the new instance: exactly the missing events, then the stored status.
    const back = connectClient(engine, 'sleepy', {
      approve: 'manual',
      answer: 'manual',
      lastEventId: lastSeen,
    });
    const resumed: SessionStatus[] = [];
    back.client.on('message', (message) => {
      if (message.type === 'resume_complete') resumed.push(message.status);
    });
    back.client.connect('sleepy');
    await until(() => resumed.length === 1, 5_000, 'resume_complete');
    expect(idsOf(back.record.frames)).toEqual(idsOf(missed));
    expect(resumed).toEqual(['waiting_input']);

    // A later event reaches both the socket that slept through the eviction and the new one.
    const [late] = await session.append(text(' Later.'));
    await until(() => watcher.record.frames.length === 7 && back.record.frames.length === 4, 5_000, 'live');
    expect(watcher.record.frames.at(-1)?.id).toBe(late?.id);
    expect(watcher.record.text).toBe('Hello world! Later.');

    // Commands after the eviction are still applied once.
    back.client.sendUserInput('input-1', 'Friday');
    watcher.client.sendUserInput('input-1', 'Sunday');
    expect((await session.commands(0, { waitMs: 5_000 })).commands).toHaveLength(1);
    // Both commands confirmed (a heartbeat written after each was acknowledged): the gateway has read both.
    await until(
      () => [back, watcher].every(({ client }) => client.getSnapshot().unconfirmedCommands === 0),
      5_000,
      'both commands confirmed',
    );
    const { commands } = await session.commands(0);
    expect(commands.map(({ frame }) => frame.type)).toEqual(['user_input']);
    expect((await session.state()).instance.id).toBe(after.instance.id);
    console.log(
      `hibernation: evicted and observed after ${Math.round(evictedAfterMs)} ms; test took ${Math.round(performance.now() - started)} ms`,
    );
  }, 30_000);
});
