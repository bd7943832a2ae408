import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connectClient, rawSocket, until } from '../integration/support.js';
import { engines, type RunningEngine } from './engines.js';

/** Proves the gateway still serves: a full demo session completes on another chatKey. */
async function stillServes(engine: RunningEngine, chatKey: string) {
  engine.startAgent(chatKey);
  const { client, completed } = connectClient(engine, chatKey);
  client.connect(chatKey);
  await completed;
  expect(client.getSnapshot().disconnectReason).toBe('sessionComplete');
}

describe.each(engines)(
  'the $name gateway refuses bad input with a clear close code and keeps serving',
  (engineUnderTest) => {
    let engine: RunningEngine;
    beforeAll(async () => {
      engine = await engineUnderTest.start({
        authTimeoutMs: 200,
        maxFrameBytes: 1_024,
        rateLimit: { burst: 20, perSecond: 10 },
      });
    });
    afterAll(() => engine.close());

    it('closes 4400 when a frame other than auth comes first', async () => {
      const socket = await rawSocket(engine.url);
      socket.ws.send('{"type":"heartbeat"}');
      expect(await socket.closed).toEqual({ code: 4400, reason: 'Expected auth' });
      expect(socket.received).toEqual([]);
      await stillServes(engine, 'after-preauth');
    });

    it('closes 4008 when no auth arrives in time', async () => {
      const socket = await rawSocket(engine.url);
      const started = Date.now();
      // workerd finishes the TCP teardown of a server-closed hibernatable socket that never sent a
      // frame only when the object is evicted (~10 s); the close frame itself comes on time. Like a
      // browser after its closing-handshake timeout, drop the TCP connection once the frame is in.
      await until(() => socket.ws.readyState !== WebSocket.OPEN, 5_000, 'the close frame');
      socket.ws.terminate();
      expect(await socket.closed).toEqual({ code: 4008, reason: 'Auth timeout' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(engine.limits.authTimeoutMs - 10);
      await stillServes(engine, 'after-timeout');
    });

    it('closes 1009 on an oversized frame', async () => {
      const socket = await rawSocket(engine.url);
      socket.ws.send(JSON.stringify({ type: 'auth', token: 'x'.repeat(2_000) }));
      expect((await socket.closed).code).toBe(1009);
      await stillServes(engine, 'after-oversize');
    });

    it('closes 4400 on garbage, and 1003 on binary frames', async () => {
      const garbage = await rawSocket(engine.url);
      garbage.ws.send('this is not json');
      expect(await garbage.closed).toEqual({ code: 4400, reason: 'Malformed frame: notJson' });
      const binary = await rawSocket(engine.url);
      binary.ws.send(Buffer.from([1, 2, 3]));
      expect((await binary.closed).code).toBe(1003);
      const unknown = await rawSocket(engine.url);
      unknown.ws.send(JSON.stringify({ type: 'auth', token: engine.tokenFor('raw') }));
      unknown.ws.send('{"type":"__proto__"}');
      expect(await unknown.closed).toEqual({ code: 4400, reason: 'Malformed frame: unknownType' });
      await stillServes(engine, 'after-garbage');
    });

    // Commands, not heartbeats: the Durable Object lets the runtime answer heartbeats without waking
    // (they never reach its rate limit); the Node-only test floods heartbeats.
    it('closes 4429 on a flood of commands, and other sessions are unaffected', async () => {
      const socket = await rawSocket(engine.url);
      socket.ws.send(JSON.stringify({ type: 'auth', token: engine.tokenFor('raw') }));
      await until(() => socket.received.length > 0, 2_000, 'auth_success');
      for (let i = 0; i < 200; i++) socket.ws.send('{"content":"x","requestId":"flood","type":"user_input"}');
      expect(await socket.closed).toEqual({ code: 4429, reason: 'Rate limit exceeded' });
      await stillServes(engine, 'after-flood');
    });

    it('re-authenticates on the same socket after auth_expired, and times out (4008) a socket that does not', async () => {
      const socket = await rawSocket(engine.url, 'lapse');
      socket.ws.send(JSON.stringify({ type: 'auth', token: engine.tokenFor('lapse', 300) }));
      socket.ws.send(JSON.stringify({ type: 'resume', lastEventId: '' }));
      await until(
        () => socket.received.some((frame) => frame.type === 'auth_expired'),
        3_000,
        'auth_expired',
      );
      socket.ws.send(JSON.stringify({ type: 'auth', token: engine.tokenFor('lapse', 300) }));
      await until(
        () => socket.received.filter((frame) => frame.type === 'auth_expired').length >= 2,
        3_000,
        'again',
      );
      await until(() => socket.ws.readyState !== WebSocket.OPEN, 5_000, 'the close frame');
      socket.ws.terminate(); // see the 4008 test above
      expect(await socket.closed).toEqual({ code: 4008, reason: 'Auth timeout' });
      expect(socket.received.map((frame) => frame.type)).toEqual([
        'auth_success',
        'auth_expired',
        'auth_success',
        'auth_expired',
      ]);
    });
  },
);
