import { demoAnswerText } from 'agent-gateway-client/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, idsOf, until } from '../integration/support.js';
import { engines, type RunningEngine } from './engines.js';

afterAll(() => console.log(`conformance: engines=${engines.map(({ name }) => name).join(',')}`));

describe.each(engines)('the real client against the $name gateway (loopback)', (engineUnderTest) => {
  let engine: RunningEngine;
  beforeAll(async () => {
    engine = await engineUnderTest.start();
  });
  afterAll(() => engine.close());

  it('runs a full session with approval and input, delivering exactly the server log in order', async () => {
    engine.startAgent('full');
    const { client, record, completed } = connectClient(engine, 'full');
    client.connect('full');
    await completed;
    expect(record.text).toBe(demoAnswerText(true, 'Saturday'));
    expect(idsOf(record.frames)).toEqual(await engine.replayIds('full'));
    expect(record.statuses).toEqual([
      'running',
      'waiting_confirmation',
      'running',
      'waiting_input',
      'running',
      'completed',
    ]);
    expect(client.getSnapshot().disconnectReason).toBe('sessionComplete');
    expect((await engine.applied('full')).map(({ type }) => type)).toEqual([
      'tool_confirmation',
      'user_input',
    ]);
  });

  it('a rejected tool takes the other branch', async () => {
    engine.startAgent('reject');
    const { client, record, completed } = connectClient(engine, 'reject', {
      approve: false,
      answer: 'Sunday',
    });
    client.connect('reject');
    await completed;
    expect(record.text).toBe(demoAnswerText(false, 'Sunday'));
  });

  it('a command issued while the link is down is delivered exactly once after recovery', async () => {
    engine.startAgent('down');
    const { client, record, completed } = connectClient(engine, 'down', {
      approve: 'manual',
      initialReconnectDelayMs: 300,
    });
    const request = new Promise<string>((resolve) =>
      client.on('tool_confirmation_request', (m) => resolve(m.toolCallId)),
    );
    client.connect('down');
    const toolCallId = await request;
    expect(await engine.dropConnections('down')).toBe(1);
    await until(() => client.connectionStatus === 'reconnecting', 2_000, 'reconnecting');
    expect(client.sendToolConfirmation(toolCallId, true).status).toBe('queued');
    await completed;
    const applied = await engine.applied('down');
    expect(applied.filter(({ type }) => type === 'tool_confirmation')).toHaveLength(1);
    expect(record.text).toBe(demoAnswerText(true, 'Saturday'));
  });

  it('auth_expired when the token expires: the client refreshes it and continues on the same socket', async () => {
    engine.startAgent('expiry');
    let tokensIssued = 0;
    const { client, record, sockets, completed } = connectClient(engine, 'expiry', {
      answer: 'manual',
      getToken: () => {
        tokensIssued++;
        return engine.tokenFor('expiry', 400);
      },
    });
    const input = new Promise<string>((resolve) => client.on('input_request', (m) => resolve(m.requestId)));
    client.connect('expiry');
    const requestId = await input;
    await until(() => tokensIssued >= 3, 5_000, 'two re-authentications');
    client.sendUserInput(requestId, 'Sunday');
    await completed;
    expect(sockets).toHaveLength(1);
    expect(record.reconnects).toBe(0);
    expect(record.text).toBe(demoAnswerText(true, 'Sunday'));
    expect(idsOf(record.frames)).toEqual(await engine.replayIds('expiry'));
  });

  it('a wrong token gets auth_failed and no retry', async () => {
    const { client, sockets } = connectClient(engine, 'intruder', { getToken: () => 'v1.forged.token' });
    const reasons: string[] = [];
    client.on('auth_failed', (reason) => reasons.push(reason));
    client.connect('intruder');
    await until(() => client.connectionStatus === 'disconnected', 3_000, 'auth_failed');
    // No retry: the client is in a state with no timer and no way out but connect() (the unit tests
    // run its clock 10 minutes on to show it), not one that waits to reconnect.
    expect(client.getSnapshot().state).toEqual({ disconnected: 'authFailed' });
    expect(reasons).toEqual(['Invalid token signature']);
    expect(client.getSnapshot().disconnectReason).toBe('authFailed');
    expect(sockets).toHaveLength(1);
    expect(await engine.untouched('intruder')).toBe(true);
  });

  it('interrupt stops the agent and the session ends as interrupted', async () => {
    const { createDemoAgent } = await import('agent-gateway-client/server');
    engine.startAgent('stop', createDemoAgent({ tokensPerSecond: 200 }));
    const { client, record, completed } = connectClient(engine, 'stop');
    client.connect('stop');
    await until(() => record.text.length > 0, 5_000, 'streaming');
    client.sendInterrupt();
    await completed;
    expect(record.statuses.at(-1)).toBe('interrupted');
    expect(record.text.length).toBeLessThan(demoAnswerText(true, 'Saturday').length);
    expect((await engine.applied('stop')).map(({ type }) => type)).toEqual(['interrupt']);
  });

  it('several sockets may follow one session, each getting every event', async () => {
    engine.startAgent('shared');
    const main = connectClient(engine, 'shared');
    const watcher = connectClient(engine, 'shared', { approve: 'manual', answer: 'manual' });
    watcher.client.connect('shared');
    main.client.connect('shared');
    await Promise.all([main.completed, watcher.completed]);
    expect(idsOf(watcher.record.frames)).toEqual(idsOf(main.record.frames));
    expect(watcher.record.text).toBe(main.record.text);
  });
});
