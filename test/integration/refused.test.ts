import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connectClient, startGateway, until } from './support.js';

/** A loopback port nothing listens on (taken, then given back). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a wrong gateway URL, told at once (loopback)', () => {
  it('a path the gateway does not serve (HTTP 404 on upgrade): the session ends, refused, the error names the URL; no retry', async () => {
    const gateway = await startGateway();
    const { client, record, sockets } = connectClient({ url: `${gateway.url}/wrong` }, 'lost');
    const ended = new Promise<void>((resolve) => client.on('disconnected', () => resolve()));
    client.connect('lost');
    await ended;
    expect(client.getSnapshot().disconnectReason).toBe('refused');
    const wsUrl = `${gateway.url.replace(/^http/, 'ws')}/wrong/ws?chatKey=lost`;
    expect(record.errors.map((error) => error.message)).toEqual([
      `The gateway at ${wsUrl} refused the WebSocket upgrade (HTTP 404)`,
    ]);
    expect(sockets).toHaveLength(1);
  });

  it('nothing listening: retried as a lost link, and the error says there is no gateway at the URL', async () => {
    const port = await freePort();
    const { client, record } = connectClient({ url: `http://127.0.0.1:${port}` }, 'nobody');
    client.connect('nobody');
    await until(
      () => record.errors.length > 0 && client.connectionStatus === 'reconnecting',
      5_000,
      'a retry',
    );
    expect(record.errors[0]?.message).toMatch(
      new RegExp(`^No gateway at ws://127\\.0\\.0\\.1:${port}/ws\\?chatKey=nobody \\(.*ECONNREFUSED.*\\)$`),
    );
    client.dispose();
  });
});
