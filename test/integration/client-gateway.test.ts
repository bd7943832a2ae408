import { demoAnswerText } from 'agent-gateway-client/server';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { connectClient, idsOf, startGateway, tokenFor, until } from './support.js';

describe('the real client against the real gateway (loopback)', () => {
  it('runs a full session with approval and input, delivering exactly the server log in order', async () => {
    const gateway = await startGateway();
    const { client, record, completed } = connectClient(gateway, 'full');
    client.connect('full');
    await completed;
    expect(record.text).toBe(demoAnswerText(true, 'Saturday'));
    expect(idsOf(record.frames)).toEqual(idsOf(gateway.session('full')?.replay('').events ?? []));
    expect(record.statuses).toEqual([
      'running',
      'waiting_confirmation',
      'running',
      'waiting_input',
      'running',
      'completed',
    ]);
    expect(client.getSnapshot().disconnectReason).toBe('sessionComplete');
    expect(gateway.session('full')?.applied.map(({ frame }) => frame.type)).toEqual([
      'tool_confirmation',
      'user_input',
    ]);
  });

  it('a rejected tool takes the other branch', async () => {
    const gateway = await startGateway();
    const { client, record, completed } = connectClient(gateway, 'reject', {
      approve: false,
      answer: 'Sunday',
    });
    client.connect('reject');
    await completed;
    expect(record.text).toBe(demoAnswerText(false, 'Sunday'));
  });

  it('the link dropped mid-stream many times: every event exactly once, in order, same final text', async () => {
    const gateway = await startGateway({ faults: { dropAfterEvents: 9 } });
    const { client, record, sockets, completed } = connectClient(gateway, 'drops');
    client.connect('drops');
    await completed;
    const serverIds = idsOf(gateway.session('drops')?.replay('').events ?? []);
    expect(record.reconnects).toBeGreaterThanOrEqual(10);
    expect(sockets.length).toBe(record.reconnects + 1);
    expect(idsOf(record.frames)).toEqual(serverIds);
    expect(new Set(idsOf(record.frames)).size).toBe(serverIds.length);
    expect(record.text).toBe(demoAnswerText(true, 'Saturday'));
    expect(gateway.session('drops')?.applied).toHaveLength(2);
  });

  it('a command issued while the link is down is delivered exactly once after recovery', async () => {
    const gateway = await startGateway();
    const { client, record, completed } = connectClient(gateway, 'down', {
      approve: 'manual',
      initialReconnectDelayMs: 300,
    });
    const request = new Promise<string>((resolve) =>
      client.on('tool_confirmation_request', (m) => resolve(m.toolCallId)),
    );
    client.connect('down');
    const toolCallId = await request;
    expect(gateway.dropConnections('down')).toBe(1);
    await until(() => client.connectionStatus === 'reconnecting', 2_000, 'reconnecting');
    expect(client.sendToolConfirmation(toolCallId, true).status).toBe('queued');
    await completed;
    const applied = gateway.session('down')?.applied ?? [];
    expect(applied.filter(({ frame }) => frame.type === 'tool_confirmation')).toHaveLength(1);
    expect(record.text).toBe(demoAnswerText(true, 'Saturday'));
  });

  it('missing heartbeat acks: the client declares the link dead, reconnects and resumes', async () => {
    const gateway = await startGateway();
    const { client, record, sockets, completed } = connectClient(gateway, 'silent', {
      answer: 'manual',
      heartbeatIntervalMs: 100,
      heartbeatTimeoutMs: 100,
    });
    const input = new Promise<string>((resolve) => client.on('input_request', (m) => resolve(m.requestId)));
    client.connect('silent');
    const requestId = await input; // the session now waits: no traffic but heartbeats
    gateway.setFaults({ swallowHeartbeatAcks: true });
    await until(() => record.reconnects >= 1, 3_000, 'a heartbeat timeout');
    gateway.setFaults({ swallowHeartbeatAcks: false });
    await until(() => client.connectionStatus === 'connected', 3_000, 'the resumed link');
    client.sendUserInput(requestId, 'Friday');
    await completed;
    expect(sockets.length).toBeGreaterThanOrEqual(2);
    expect(idsOf(record.frames)).toEqual(idsOf(gateway.session('silent')?.replay('').events ?? []));
    expect(record.text).toBe(demoAnswerText(true, 'Friday'));
  });

  it('auth_expired: the client refreshes its token and continues on the same socket', async () => {
    const gateway = await startGateway({ faults: { expireAuthAfterMs: 150 } });
    let tokensIssued = 0;
    const { client, record, sockets, completed } = connectClient(gateway, 'expiry', {
      answer: 'manual',
      getToken: () => {
        tokensIssued++;
        return tokenFor('expiry');
      },
    });
    const input = new Promise<string>((resolve) => client.on('input_request', (m) => resolve(m.requestId)));
    client.connect('expiry');
    const requestId = await input;
    await until(() => tokensIssued >= 3, 3_000, 'two re-authentications');
    client.sendUserInput(requestId, 'Sunday');
    await completed;
    expect(sockets).toHaveLength(1);
    expect(record.reconnects).toBe(0);
    expect(record.text).toBe(demoAnswerText(true, 'Sunday'));
    expect(idsOf(record.frames)).toEqual(idsOf(gateway.session('expiry')?.replay('').events ?? []));
  });

  it('a gateway that accepts and then drops every socket: the client gives up after the attempt limit', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    server.on('connection', (ws) => ws.terminate());
    const port = (server.address() as { port: number }).port;
    const gatewayLike = { url: `http://127.0.0.1:${port}` } as Parameters<typeof connectClient>[0];
    const { client, record, sockets } = connectClient(gatewayLike, 'flaky', { maxReconnectAttempts: 4 });
    const events: string[] = [];
    client.on('disconnected', () => events.push('disconnected'));
    client.on('error', (error) => events.push(`error: ${(error as Error).message}`));
    client.connect('flaky');
    await until(() => client.getSnapshot().disconnectReason === 'gaveUp', 5_000, 'giving up');
    server.close();
    expect(record.reconnects).toBe(4);
    expect(sockets).toHaveLength(5);
    expect(events.slice(-2)).toEqual(['disconnected', 'error: Max reconnect attempts reached']);
  });

  it('hibernation: resume_complete says running, the client does not report completion, and the session goes on', async () => {
    const { createDemoAgent } = await import('agent-gateway-client/server');
    const gateway = await startGateway({ agent: createDemoAgent({ tokensPerSecond: 400 }) });
    const { client, record, completed } = connectClient(gateway, 'sleepy');
    const resumed: string[] = [];
    client.on('message', (message) => {
      if (message.type === 'resume_complete') resumed.push(message.status);
    });
    client.on('session_complete', () => resumed.push('complete'));
    client.connect('sleepy');
    await until(() => record.text.length > 20, 5_000, 'streaming');
    gateway.hibernate('sleepy');
    gateway.dropConnections('sleepy');
    await until(() => resumed.length >= 2, 3_000, 'the second resume_complete');
    expect(resumed.slice(0, 2)).toEqual(['running', 'running']);
    expect(client.connectionStatus).toBe('connected');
    await completed;
    expect(record.text).toBe(demoAnswerText(true, 'Saturday'));
    expect(new Set(idsOf(record.frames)).size).toBe(record.frames.length);
  });

  it('a wrong token gets auth_failed and no retry', async () => {
    const gateway = await startGateway();
    const { client, sockets } = connectClient(gateway, 'intruder', { getToken: () => 'v1.forged.token' });
    const reasons: string[] = [];
    client.on('auth_failed', (reason) => reasons.push(reason));
    client.connect('intruder');
    await until(() => client.connectionStatus === 'disconnected', 3_000, 'auth_failed');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(reasons).toEqual(['Invalid token signature']);
    expect(client.getSnapshot().disconnectReason).toBe('authFailed');
    expect(sockets).toHaveLength(1);
    expect(gateway.session('intruder')).toBeUndefined();
  });

  it('interrupt stops the agent and the session ends as interrupted', async () => {
    const { createDemoAgent } = await import('agent-gateway-client/server');
    const gateway = await startGateway({ agent: createDemoAgent({ tokensPerSecond: 200 }) });
    const { client, record, completed } = connectClient(gateway, 'stop');
    client.connect('stop');
    await until(() => record.text.length > 0, 5_000, 'streaming');
    client.sendInterrupt();
    await completed;
    expect(record.statuses.at(-1)).toBe('interrupted');
    expect(record.text.length).toBeLessThan(demoAnswerText(true, 'Saturday').length);
    expect(gateway.session('stop')?.applied.map(({ frame }) => frame.type)).toEqual(['interrupt']);
  });

  it('several sockets may follow one session, each getting every event', async () => {
    const gateway = await startGateway();
    const main = connectClient(gateway, 'shared');
    const watcher = connectClient(gateway, 'shared', { approve: 'manual', answer: 'manual' });
    watcher.client.connect('shared');
    main.client.connect('shared');
    await Promise.all([main.completed, watcher.completed]);
    expect(idsOf(watcher.record.frames)).toEqual(idsOf(main.record.frames));
    expect(watcher.record.text).toBe(main.record.text);
  });
});
