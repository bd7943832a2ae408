import { createSessionToken, demoAnswerText } from 'agent-gateway-client/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, SECRET, until } from '../integration/support.js';
import { engines, type RunningEngine } from '../conformance/engines.js';
import { pause, peer } from './support.js';

const DAY = 24 * 3_600_000;

describe.each(engines)('token lifetimes on the $name gateway', (engineUnderTest) => {
  let engine: RunningEngine;
  beforeAll(async () => {
    engine = await engineUnderTest.start({ authTimeoutMs: 1_000 });
  });
  afterAll(() => engine.close());

  it('a token valid for 30 days works: no auth_expired soon after auth (setTimeout overflows past 2^31 ms)', async () => {
    const socket = await peer(engine.url, 'month');
    socket.send({ type: 'auth', token: engine.tokenFor('month', 30 * DAY) });
    socket.send({ type: 'resume', lastEventId: '', wantStatus: true });
    await until(() => socket.types().includes('resume_complete'), 3_000, 'resume_complete');
    await pause(300);
    const live = await engine.publish('month', { type: 'status_change', status: 'running' });
    await until(() => socket.frames.some((frame) => frame.id === live.id), 3_000, 'a live event');
    expect(socket.types()).toEqual(['auth_success', 'resume_complete', 'status_change']);
    expect(socket.isClosed()).toBe(false);
  });

  it('a heartbeat and a command in flight when the token lapses: the ack comes, the command is held and applied after the new auth', async () => {
    engine.startAgent('lapse');
    const socket = await peer(engine.url, 'lapse');
    socket.send({ type: 'auth', token: engine.tokenFor('lapse', 600) });
    socket.send({ type: 'resume', lastEventId: '', wantStatus: true });
    await until(() => socket.types().includes('tool_confirmation_request'), 5_000, 'the tool request');
    await until(() => socket.types().includes('auth_expired'), 3_000, 'auth_expired');
    const approve = {
      type: 'tool_confirmation',
      toolCallId: 'call_weather_1',
      approved: true,
      commandId: 'held-1',
    };
    socket.send({ type: 'heartbeat' });
    socket.send(approve);
    socket.send({ type: 'heartbeat' });
    await until(
      () => socket.types().filter((type) => type === 'heartbeat_ack').length === 2,
      2_000,
      'the acks',
    );
    // The second ack proves the gateway read the command before it: not applied, it is held.
    expect(await engine.applied('lapse')).toEqual([]); // held: the token has lapsed
    socket.send({ type: 'auth', token: engine.tokenFor('lapse', 60_000) });
    await until(
      () => socket.types().filter((type) => type === 'auth_success').length === 2,
      2_000,
      'the new auth',
    );
    socket.send({
      type: 'resume',
      lastEventId: String(socket.frames.findLast((f) => f.id)?.id ?? ''),
      wantStatus: true,
    });
    await until(() => socket.types().includes('input_request'), 5_000, 'the agent going on');
    expect(await engine.applied('lapse')).toEqual([approve]);
    expect(socket.isClosed()).toBe(false);
    const expired = socket.types().indexOf('auth_expired');
    expect(socket.types().slice(expired, expired + 4)).toEqual([
      'auth_expired',
      'heartbeat_ack',
      'heartbeat_ack',
      'auth_success',
    ]);
  });

  it('only a failed re-authentication ends the link (auth_failed, 4001)', async () => {
    const socket = await peer(engine.url, 'refused');
    socket.send({ type: 'auth', token: engine.tokenFor('refused', 400) });
    await until(() => socket.types().includes('auth_expired'), 3_000, 'auth_expired');
    socket.send({ type: 'heartbeat' });
    socket.send({ type: 'auth', token: engine.tokenFor('someone-else', 60_000) });
    const { code } = await socket.closed;
    expect(code).toBe(4001);
    expect(socket.types().slice(-2)).toEqual(['heartbeat_ack', 'auth_failed']);
  });

  it('real clients heartbeating fast through many expiries keep their one socket and finish the session', async () => {
    const chatKeys = ['renew-1', 'renew-2', 'renew-3', 'renew-4'];
    const runs = chatKeys.map((chatKey) => {
      engine.startAgent(chatKey);
      let tokens = 0;
      const run = connectClient(engine, chatKey, {
        approve: 'manual',
        answer: 'manual',
        heartbeatIntervalMs: 40,
        heartbeatTimeoutMs: 1_000,
        getToken: () => {
          tokens++;
          return engine.tokenFor(chatKey, 300);
        },
      });
      const request = new Promise<string>((resolve) =>
        run.client.on('tool_confirmation_request', (m) => resolve(m.toolCallId)),
      );
      run.client.connect(chatKey);
      return { ...run, chatKey, request, tokens: () => tokens };
    });
    await Promise.all(runs.map(({ request }) => request));
    await until(() => runs.every(({ tokens }) => tokens() >= 6), 10_000, 'five re-authentications each');
    for (const { client, request } of runs) client.sendToolConfirmation(await request, true);
    for (const { client } of runs)
      client.on('input_request', ({ requestId }) => client.sendUserInput(requestId, 'Friday'));
    await Promise.all(runs.map(({ completed }) => completed));
    for (const { client, record, sockets } of runs) {
      expect(client.getSnapshot().disconnectReason).toBe('sessionComplete');
      expect(record.reconnects).toBe(0);
      expect(sockets).toHaveLength(1);
      expect(record.text).toBe(demoAnswerText(true, 'Friday'));
    }
  }, 20_000);
});

describe.each(engines)('token subjects on the $name gateway', (engineUnderTest) => {
  let engine: RunningEngine;
  beforeAll(async () => {
    engine = await engineUnderTest.start();
  });
  afterAll(() => engine.close());

  it('a token for the chatKey "*" opens the session named "*" and no other; only a wildcard token opens any', async () => {
    const star = engine.tokenFor('*');
    const victim = await peer(engine.url, 'victim');
    victim.send({ type: 'auth', token: star });
    await until(() => victim.types().includes('auth_failed'), 3_000, 'auth_failed');
    expect(victim.frames[0]).toEqual({ type: 'auth_failed', reason: 'Token is not valid for this session' });
    const named = await peer(engine.url, '*');
    named.send({ type: 'auth', token: star });
    await until(() => named.types().includes('auth_success'), 3_000, 'auth_success for "*"');
    const backend = await peer(engine.url, 'victim');
    backend.send({ type: 'auth', token: createSessionToken({ secret: SECRET, anyChatKey: true }) });
    await until(() => backend.types().includes('auth_success'), 3_000, 'auth_success for a wildcard');
  });
});
