import { type Agent, createSessionToken } from 'agent-gateway-client/server';
import { describe, expect, it } from 'vitest';
import { type CloudflareRunningEngine, cloudflareEngine, engines } from '../conformance/engines.js';
import { SECRET, startGateway, tokenFor, until } from '../integration/support.js';
import { onCleanup, pause, peer, text } from './support.js';

/** An agent that waits for input forever and says whether it was stopped. */
function waitingAgent() {
  const stopped: string[] = [];
  const agent: Agent = async (context) => {
    context.signal.addEventListener('abort', () => stopped.push(context.chatKey));
    context.setStatus('running');
    await context.requestInput('Anything?');
    return 'done';
  };
  return { agent, stopped };
}

describe('bounded memory on the Node gateway', () => {
  it('evicts a session with no socket past the TTL and stops its agent; one with a socket stays', async () => {
    const { agent, stopped } = waitingAgent();
    const gateway = await startGateway({ agent, sessionTtlMs: 200 });
    const leaving = await peer(gateway.url, 'gone');
    leaving.send({ type: 'auth', token: tokenFor('gone') });
    const staying = await peer(gateway.url, 'kept');
    staying.send({ type: 'auth', token: tokenFor('kept') });
    staying.send({ type: 'resume', lastEventId: '' });
    await until(() => gateway.sessionCount === 2, 2_000, 'both sessions');
    leaving.ws.close();
    await until(() => gateway.session('gone') === undefined, 2_000, 'the eviction');
    expect(stopped).toEqual(['gone']);
    expect(gateway.evictedSessions).toBe(1);
    await pause(300);
    expect(gateway.session('kept')).toBeDefined();
    expect(gateway.sessionCount).toBe(1);
    // Whatever the stopped agent still does goes nowhere; a new socket opens a fresh session.
    const back = await peer(gateway.url, 'gone');
    back.send({ type: 'auth', token: tokenFor('gone') });
    back.send({ type: 'resume', lastEventId: '', wantStatus: true });
    await until(() => back.types().includes('resume_complete'), 2_000, 'a fresh session');
    expect(gateway.session('gone')?.evicted).toBe(false);
  });

  it('an ended session with no socket is evicted too; events published meanwhile keep a session alive', async () => {
    const gateway = await startGateway({ agent: undefined, sessionTtlMs: 300 });
    const busy = gateway.openSession('busy');
    const ended = gateway.openSession('ended');
    ended.publish({ type: 'session_complete' });
    for (let i = 0; i < 6; i++) {
      await pause(100);
      busy.publish(text(`${i}`));
    }
    expect(gateway.session('ended')).toBeUndefined();
    expect(gateway.session('busy')).toBe(busy);
    await until(() => gateway.session('busy') === undefined, 2_000, 'the busy one, once quiet');
  });

  it('caps the sessions one token opens (a wildcard token cannot open 2,000 chatKeys)', async () => {
    const gateway = await startGateway({ agent: undefined, maxSessionsPerToken: 3, sessionTtlMs: 300 });
    const token = createSessionToken({ secret: SECRET, anyChatKey: true });
    const opened = await Promise.all(['k1', 'k2', 'k3'].map((chatKey) => peer(gateway.url, chatKey)));
    for (const socket of opened) socket.send({ type: 'auth', token });
    await until(
      () => opened.every((socket) => socket.types().includes('auth_success')),
      2_000,
      'three sessions',
    );
    const fourth = await peer(gateway.url, 'k4');
    fourth.send({ type: 'auth', token });
    expect((await fourth.closed).code).toBe(4001);
    expect(fourth.frames).toEqual([{ type: 'auth_failed', reason: 'Too many sessions for this token' }]);
    expect(gateway.sessionCount).toBe(3);
    // Another socket of a session the token already holds is fine; a freed place can be taken again.
    const again = await peer(gateway.url, 'k1');
    again.send({ type: 'auth', token });
    await until(() => again.types().includes('auth_success'), 2_000, 'a second socket on k1');
    for (const socket of [opened[2], again, opened[0]]) socket?.ws.close();
    await until(() => gateway.sessionCount === 1, 2_000, 'two evictions');
    const later = await peer(gateway.url, 'k4');
    later.send({ type: 'auth', token });
    await until(() => later.types().includes('auth_success'), 2_000, 'k4 once places are free');
  });

  it('keeps at most maxLogEvents events, and none older than maxLogAgeMs', async () => {
    const gateway = await startGateway({ agent: undefined, maxLogEvents: 5, maxLogAgeMs: 300 });
    const session = gateway.openSession('log');
    const events = Array.from({ length: 20 }, (_, i) => session.publish(text(`${i}`)));
    expect(session.log.size).toBe(5);
    expect(session.replay('').events.map(({ id }) => id)).toEqual(events.slice(15).map(({ id }) => id));
    await pause(350);
    session.publish(text('fresh'));
    expect(session.log.size).toBe(1);
  });
});

describe.runIf(engines.includes(cloudflareEngine))('bounded storage on the Durable Object gateway', () => {
  const start = async (limits: Parameters<typeof cloudflareEngine.start>[0]) => {
    const engine: CloudflareRunningEngine = await cloudflareEngine.start(limits);
    onCleanup(() => engine.close());
    return engine;
  };

  it('stores nothing and sets no alarm for sockets that never authenticate', async () => {
    const engine = await start({ authTimeoutMs: 1_000 });
    const strangers = await Promise.all(Array.from({ length: 5 }, () => peer(engine.url, 'stranger')));
    const session = engine.gateway.runtime.session('stranger');
    expect(await session.state()).toMatchObject({ sockets: 5, stored: false, alarmAt: null, eventCount: 0 });
    strangers[0]?.send({ type: 'heartbeat' }); // refused (4400) by the object, not the runtime
    expect((await strangers[0]?.closed)?.code).toBe(4400);
    await until(
      () => strangers.slice(1).every((socket) => socket.ws.readyState !== socket.ws.OPEN),
      3_000,
      '4008',
    );
    expect(await session.state()).toMatchObject({ stored: false, alarmAt: null });
    const member = await peer(engine.url, 'stranger');
    member.send({ type: 'auth', token: engine.tokenFor('stranger') });
    member.send({ type: 'resume', lastEventId: '' });
    await until(() => member.types().includes('auth_success'), 2_000, 'auth_success');
    await pause(50);
    expect(await session.state()).toMatchObject({ stored: true, alarmAt: expect.any(Number) });
  });

  it('deletes a session with no socket past the TTL; its agent runtime is told (evicted) and stops', async () => {
    const engine = await start({ sessionTtlMs: 400 });
    const { agent, stopped } = waitingAgent();
    engine.startAgent('fleeting', agent);
    const session = engine.gateway.runtime.session('fleeting');
    const socket = await peer(engine.url, 'fleeting');
    socket.send({ type: 'auth', token: engine.tokenFor('fleeting') });
    socket.send({ type: 'resume', lastEventId: '', wantStatus: true });
    await until(() => socket.types().includes('input_request'), 5_000, 'the agent waiting');
    socket.ws.close();
    await socket.closed;
    await until(() => stopped.length === 1, 5_000, 'the agent stopped');
    expect(await session.state()).toMatchObject({ stored: false, eventCount: 0, alarmAt: null });
  });

  it('keeps at most MAX_LOG_EVENTS events', async () => {
    const engine = await start({ maxLogEvents: 5 });
    const session = engine.gateway.runtime.session('log');
    const events = await session.append(Array.from({ length: 20 }, (_, i) => text(`${i}`)));
    expect((await session.log()).map(({ id }) => id)).toEqual(events.slice(15).map(({ id }) => id));
    expect(await session.state()).toMatchObject({ eventCount: 5, lastEventId: events.at(-1)?.id });
  });
});
