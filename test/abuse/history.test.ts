import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, type RunningEngine } from '../conformance/engines.js';
import { startGateway, tokenFor, until } from '../integration/support.js';
import { peer, text } from './support.js';

/** Resumes from `lastEventId` on a fresh socket; returns the replayed ids and the resume_complete frame. */
async function resumeFrom(url: string, chatKey: string, token: string, lastEventId: string) {
  const socket = await peer(url, chatKey);
  socket.send({ type: 'auth', token });
  socket.send({ type: 'resume', lastEventId, wantStatus: true });
  await until(() => socket.types().includes('resume_complete'), 3_000, 'resume_complete');
  const ids = socket.frames.filter((frame) => frame.id !== undefined).map((frame) => frame.id);
  return { ids, complete: socket.frames.find((frame) => frame.type === 'resume_complete') };
}

describe.each(engines)('history loss said out loud on the $name gateway', (engineUnderTest) => {
  let engine: RunningEngine;
  beforeAll(async () => {
    engine = await engineUnderTest.start({ maxLogEvents: 3 });
  });
  afterAll(() => engine.close());

  it('resume_complete carries recovered: false when events after lastEventId are gone, or the id is unknown', async () => {
    const token = engine.tokenFor('lossy');
    const events = [await engine.publish('lossy', { type: 'status_change', status: 'running' })];
    for (let i = 0; i < 5; i++) events.push(await engine.publish('lossy', text(`${i}`)));
    const kept = events.slice(3).map(({ id }) => id);

    const old = await resumeFrom(engine.url, 'lossy', token, events[0]?.id ?? '');
    expect(old.complete).toEqual({ type: 'resume_complete', status: 'running', recovered: false });
    expect(old.ids).toEqual(kept);

    const unknown = await resumeFrom(engine.url, 'lossy', token, 'from-another-gateway.7');
    expect(unknown.complete).toEqual({ type: 'resume_complete', status: 'running', recovered: false });
    expect(unknown.ids).toEqual(kept);

    const fromStart = await resumeFrom(engine.url, 'lossy', token, '');
    expect(fromStart.complete).toMatchObject({ recovered: false });

    // Nothing lost: no `recovered` field (absent means true), exactly what followed.
    const recent = await resumeFrom(engine.url, 'lossy', token, events[3]?.id ?? '');
    expect(recent.complete).toEqual({ type: 'resume_complete', status: 'running' });
    expect(recent.ids).toEqual(kept.slice(1));
  });
});

describe('history loss on the Node gateway', () => {
  it('after hibernation (the buffer forgotten), a client that missed events is told recovered: false', async () => {
    const gateway = await startGateway({ agent: undefined });
    const session = gateway.openSession('sleepy');
    const seen = session.publish({ type: 'status_change', status: 'running' });
    session.publish(text('missed'));
    gateway.hibernate('sleepy');
    const token = tokenFor('sleepy');
    expect((await resumeFrom(gateway.url, 'sleepy', token, seen.id)).complete).toEqual({
      type: 'resume_complete',
      status: 'running',
      recovered: false,
    });
    const last = session.publish(text('after'));
    const upToDate = await resumeFrom(gateway.url, 'sleepy', token, last.id);
    expect(upToDate.complete).toEqual({ type: 'resume_complete', status: 'running' });
  });

  it('the original dialect sends nothing new: no resume_complete, lost or not', async () => {
    const gateway = await startGateway({ agent: undefined, dialect: 'original', maxLogEvents: 2 });
    const session = gateway.openSession('plain');
    const first = session.publish(text('a'));
    session.publish(text('b'));
    session.publish(text('c'));
    const socket = await peer(gateway.url, 'plain');
    socket.send({ type: 'auth', token: tokenFor('plain') });
    socket.send({ type: 'resume', lastEventId: first.id, wantStatus: true });
    await until(() => socket.frames.length >= 3, 2_000, 'the replay');
    // The gateway answers in order: once the ack of a later heartbeat is in, all it had to say about the resume is too.
    socket.send({ type: 'heartbeat' });
    await until(() => socket.types().includes('heartbeat_ack'), 2_000, 'the heartbeat ack');
    expect(socket.types()).toEqual(['auth_success', 'agent_event', 'agent_event', 'heartbeat_ack']);
  });
});

describe.each(engines)('the event log bounded in bytes on the $name gateway', (engineUnderTest) => {
  let engine: RunningEngine;
  beforeAll(async () => {
    engine = await engineUnderTest.start({ maxLogBytes: 10_000 });
  });
  afterAll(() => engine.close());

  it('keeps the newest events within maxLogBytes; a resume from before them is told recovered: false', async () => {
    const token = engine.tokenFor('heavy');
    const events = [await engine.publish('heavy', { type: 'status_change', status: 'running' })];
    for (let i = 0; i < 20; i++) events.push(await engine.publish('heavy', text(`${i}`.padEnd(1_050, '.'))));
    const size = (event: object) => JSON.stringify(event).length;
    // The newest events whose encodings add up to at most 10,000 characters.
    let fits = 0;
    for (let total = 0, i = events.length - 1; i >= 0; i--) {
      total += size(events[i] as object);
      if (total > 10_000) break;
      fits++;
    }
    const kept = events.slice(events.length - fits).map(({ id }) => id);
    expect(fits).toBe(8); // ~1,120 characters each
    const old = await resumeFrom(engine.url, 'heavy', token, events[0]?.id ?? '');
    expect(old.complete).toEqual({ type: 'resume_complete', status: 'running', recovered: false });
    expect(old.ids).toEqual(kept);
    const recent = await resumeFrom(engine.url, 'heavy', token, kept[0] as string);
    expect(recent.complete).toEqual({ type: 'resume_complete', status: 'running' });
    expect(recent.ids).toEqual(kept.slice(1));
  });
});
