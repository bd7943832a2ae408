import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { WebSocket as WsClient } from 'ws';
import { AgentGatewayClient, type AgentGatewayClientOptions } from '../../src/index.js';
import { createGatewayStore } from '../../src/gatewayStore.js';
import { pause } from './support.js';

// The client's side of issue 12: hostile gateways over loopback, each probe bounded in time.

const servers: WebSocketServer[] = [];
const clients: AgentGatewayClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose();
  for (const server of servers.splice(0)) {
    for (const socket of server.clients) socket.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A raw gateway on 127.0.0.1 that answers each socket's frames with `answer`. */
async function hostileGateway(answer: (frame: { type: string }, socket: WebSocket) => void): Promise<string> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(server);
  server.on('connection', (socket) =>
    socket.on('message', (data) => answer(JSON.parse(String(data)) as { type: string }, socket)),
  );
  await once(server, 'listening');
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function client(gatewayUrl: string, options: Partial<AgentGatewayClientOptions>): AgentGatewayClient {
  const created = new AgentGatewayClient({
    gatewayUrl,
    WebSocket: WsClient,
    watchEnvironment: false,
    token: 't',
    ...options,
  });
  clients.push(created);
  return created;
}

const authSuccess = JSON.stringify({
  capabilities: ['command_id', 'resume_complete', 'auth_expired'],
  type: 'auth_success',
});

describe('the client against hostile gateways (loopback)', () => {
  it('a gateway answering every resume with auth_expired: a few getToken calls per link, links spaced by backoff', async () => {
    const url = await hostileGateway((frame, socket) => {
      if (frame.type === 'auth') socket.send(authSuccess);
      if (frame.type === 'resume') socket.send('{"type":"auth_expired"}');
    });
    let tokens = 0;
    const links: number[] = [];
    const gateway = client(url, { getToken: () => `token-${++tokens}` });
    gateway.on('status_changed', (status) => {
      if (status === 'connecting') links.push(Date.now());
    });
    const started = Date.now();
    gateway.connect('chat-1');
    await pause(3_000);
    const perSecond = tokens / ((Date.now() - started) / 1000);
    console.log(`auth_expired loop: ${tokens} getToken calls over ${links.length} links in 3 s`);
    // Before: 4,123 getToken calls per second. Now 1 + maxReauthsPerLink (3) per link, then backoff.
    expect(tokens).toBeLessThanOrEqual(4 * links.length);
    expect(perSecond).toBeLessThan(10);
    expect(links.length).toBeGreaterThanOrEqual(2);
    expect((links[1] as number) - (links[0] as number)).toBeGreaterThanOrEqual(500);
  });

  it('100,000 malformed frames: one warning line, a handful of store notifications, the link dropped and retried', async () => {
    let floods = 0;
    const url = await hostileGateway((frame, socket) => {
      if (frame.type === 'auth') socket.send(authSuccess);
      if (frame.type !== 'resume') return;
      socket.send('{"status":"running","type":"resume_complete"}');
      if (floods++ > 0) return;
      for (let i = 0; i < 100_000; i++) socket.send('not json');
    });
    const warnings: unknown[][] = [];
    const logger = { warn: (...args: unknown[]) => warnings.push(args), error: () => undefined };
    const gateway = client(url, { logger });
    const store = createGatewayStore(gateway);
    let notifications = 0;
    store.subscribe(() => notifications++);
    let links = 0;
    const reconnected = new Promise((resolve) =>
      gateway.on('connected', () => ++links === 2 && resolve(null)),
    );
    gateway.connect('chat-1');
    await Promise.race([reconnected, pause(4_000)]);
    // The second link's resume reaches the gateway after the client is connected.
    await pause(200);
    store.dispose();
    console.log(
      `malformed flood: ${warnings.length} warn lines, ${notifications} store notifications, ${gateway.stats.malformedFrames} frames counted before the link was dropped`,
    );
    // Before: 68,606 warn lines and 87,720 store notifications.
    expect(floods).toBe(2);
    expect(gateway.connectionStatus).toBe('connected');
    expect(warnings.length).toBe(1);
    expect(gateway.stats.malformedFrames).toBeLessThanOrEqual(101);
    expect(notifications).toBeLessThan(20);
  });

  it('frames over the size limit and nested past the depth limit are refused before parsing or delivery; the link goes on', async () => {
    const huge = JSON.stringify({
      type: 'agent_event',
      id: 'huge',
      event: { kind: 'text_delta', content: 'x'.repeat(8 * 1024 * 1024) },
    });
    // 200,000 levels in 400 kB: under the size limit, far past the depth limit.
    const depth = 200_000;
    const deep = `{"type":"agent_event","id":"deep","event":{"kind":"x","content":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    const url = await hostileGateway((frame, socket) => {
      if (frame.type === 'auth') socket.send(authSuccess);
      if (frame.type !== 'resume') return;
      socket.send('{"status":"running","type":"resume_complete"}');
      for (let i = 0; i < 5; i++) socket.send(huge);
      socket.send(deep);
      socket.send(
        JSON.stringify({ type: 'agent_event', id: 'good', event: { kind: 'text_delta', content: 'ok' } }),
      );
    });
    const gateway = client(url, { logger: { warn: () => undefined, error: () => undefined } });
    const kinds: string[] = [];
    gateway.on('error', (error) => kinds.push((error as { kind: string }).kind));
    const delivered: string[] = [];
    const good = new Promise((resolve) =>
      gateway.on('agent_event', (message) => {
        delivered.push(message.id);
        if (message.id === 'good') resolve(null);
      }),
    );
    const rssBefore = process.memoryUsage().rss;
    gateway.connect('chat-1');
    await Promise.race([good, pause(15_000)]);
    console.log(
      `oversized frames: 5 × 8 MB and one ${depth}-deep refused (${kinds.join(', ')}), RSS +${Math.round((process.memoryUsage().rss - rssBefore) / 2 ** 20)} MB`,
    );
    expect(delivered).toEqual(['good']);
    expect(kinds).toEqual(['tooLarge', 'tooLarge', 'tooLarge', 'tooLarge', 'tooLarge', 'tooDeep']);
    expect(gateway.connectionStatus).toBe('connected');
  });

  it('with the drop limit raised, the flood is counted in full and still logged once', async () => {
    const url = await hostileGateway((frame, socket) => {
      if (frame.type === 'auth') socket.send(authSuccess);
      if (frame.type !== 'resume') return;
      socket.send('{"status":"running","type":"resume_complete"}');
      for (let i = 0; i < 100_000; i++) socket.send('not json');
      socket.send('{"type":"heartbeat_ack"}');
    });
    const warnings: unknown[][] = [];
    const logger = { warn: (...args: unknown[]) => warnings.push(args), error: () => undefined };
    const gateway = client(url, { logger, maxMalformedFramesPerSecond: 1_000_000 });
    const store = createGatewayStore(gateway);
    let notifications = 0;
    store.subscribe(() => notifications++);
    gateway.connect('chat-1');
    const started = Date.now();
    // Waits for the proof (the whole flood counted); the bound is only for a hang, not a speed.
    while (gateway.stats.malformedFrames < 100_000 && Date.now() - started < 60_000) await pause(50);
    store.dispose();
    console.log(
      `malformed flood kept: ${gateway.stats.malformedFrames} frames in ${Date.now() - started} ms, ${warnings.length} warn lines, ${notifications} store notifications`,
    );
    expect(gateway.stats.malformedFrames).toBe(100_000);
    expect(warnings.length).toBeLessThanOrEqual(2);
    // One per render batch (16 ms) at most, over the few seconds the flood takes.
    expect(notifications).toBeLessThan((Date.now() - started) / 16 + 10);
  }, 90_000);
});
