import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { engines, type RunningEngine } from './engines.js';

const SOCKETS = Number(process.env.BROADCAST_SOCKETS ?? 1_000);
const OPENING_AT_ONCE = 100;

/** A raw follower: authenticates, resumes from the start, and resolves `live` at `resume_complete`. */
function follow(engine: RunningEngine, chatKey: string, token: string) {
  const ws = new WebSocket(`${engine.url.replace(/^http/, 'ws')}/ws?chatKey=${chatKey}`);
  const ids: string[] = [];
  const waiting = new Map<string, () => void>();
  const live = new Promise<void>((resolve, reject) => {
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'auth', token }));
      ws.send(JSON.stringify({ type: 'resume', lastEventId: '', wantStatus: true }));
    });
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; id?: string };
      if (frame.type === 'resume_complete') resolve();
      if (frame.id === undefined) return;
      ids.push(frame.id);
      waiting.get(frame.id)?.();
    });
    ws.on('error', reject);
    ws.on('close', (code) => reject(new Error(`closed ${code}`)));
  });
  const received = (id: string) =>
    ids.includes(id) ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(id, resolve));
  return { ws, ids, live, received };
}

describe.each(engines)('broadcast on the $name gateway', (engineUnderTest) => {
  let engine: RunningEngine;
  beforeAll(async () => {
    engine = await engineUnderTest.start();
  });
  afterAll(() => engine.close());

  it(`${SOCKETS} sockets on one chatKey each receive a broadcast, once (loopback)`, async () => {
    const chatKey = 'crowd';
    const token = engine.tokenFor(chatKey);
    await engine.publish(chatKey, { type: 'status_change', status: 'running' });
    const followers: Array<ReturnType<typeof follow>> = [];
    const connectStarted = performance.now();
    try {
      for (let i = 0; i < SOCKETS; i += OPENING_AT_ONCE) {
        const batch = Array.from({ length: Math.min(OPENING_AT_ONCE, SOCKETS - i) }, () =>
          follow(engine, chatKey, token),
        );
        followers.push(...batch);
        await Promise.all(batch.map(({ live }) => live));
      }
      const connectMs = performance.now() - connectStarted;

      const sent = performance.now();
      const event = await engine.publish(chatKey, {
        type: 'agent_event',
        event: { kind: 'text_delta', content: 'to everyone' },
      });
      await Promise.all(followers.map(({ received }) => received(event.id)));
      const deliverMs = performance.now() - sent;

      console.log(
        `broadcast: engine=${engine.name} sockets=${SOCKETS} connect+auth+resume=${Math.round(connectMs)} ms ` +
          `deliver=${deliverMs.toFixed(1)} ms (append to the last socket receiving it)`,
      );
      const expected = await engine.replayIds(chatKey);
      for (const { ids } of followers) expect(ids).toEqual(expected);
    } finally {
      for (const { ws } of followers) ws.terminate();
    }
  }, 60_000);
});
