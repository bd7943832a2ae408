import { demoAnswerText } from 'agent-gateway-client/server';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { connectClient, idsOf, startGateway, tokenFor, until } from './support.js';

// Protocol-level sessions (approval, rejection, commands while down, interrupt, shared sessions, bad
// tokens, real token expiry) run against both engines in test/conformance/. These use the Node
// gateway's fault injection.
describe('the real client against the Node gateway with injected faults (loopback)', () => {
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

  it('auth_expired injected by the gateway (expireAuthAfterMs): the client re-authenticates on the same socket', async () => {
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
});
