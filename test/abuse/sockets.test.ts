import { describe, expect, it } from 'vitest';
import {
  type CloudflareRunningEngine,
  cloudflareEngine,
  engines,
  type RunningEngine,
} from '../conformance/engines.js';
import { startGateway, tokenFor, until } from '../integration/support.js';
import { onCleanup, pause, peer, tcp, upgradeStatus } from './support.js';

describe.each(engines)('liveness on the $name gateway', (engineUnderTest) => {
  it('closes an authenticated socket silent for the idle timeout (4008, retryable); one that heartbeats stays', async () => {
    const engine: RunningEngine = await engineUnderTest.start({ idleTimeoutMs: 600 });
    onCleanup(() => engine.close());
    const silent = await peer(engine.url, 'quiet');
    silent.send({ type: 'auth', token: engine.tokenFor('quiet') });
    silent.send({ type: 'resume', lastEventId: '' });
    const alive = await peer(engine.url, 'quiet');
    alive.send({ type: 'auth', token: engine.tokenFor('quiet') });
    alive.send({ type: 'resume', lastEventId: '' });
    const beat = setInterval(() => alive.send({ type: 'heartbeat' }), 100);
    onCleanup(() => clearInterval(beat));
    const opened = Date.now();
    expect(await silent.closed).toMatchObject({ code: 4008, reason: 'Idle timeout' });
    expect(Date.now() - opened).toBeGreaterThanOrEqual(550);
    await pause(800);
    expect(alive.isClosed()).toBe(false);
  });
});

describe.runIf(engines.includes(cloudflareEngine))(
  'unauthenticated sockets on the Durable Object gateway',
  () => {
    it('caps the sockets still to authenticate per session (HTTP 503 beyond)', async () => {
      const engine: CloudflareRunningEngine = await cloudflareEngine.start({ maxUnauthenticatedSockets: 3 });
      onCleanup(() => engine.close());
      const waiting = await Promise.all([1, 2, 3].map(() => peer(engine.url, 'crowd')));
      expect(await upgradeStatus(engine.url, 'crowd')).toBe(503);
      expect(await upgradeStatus(engine.url, 'elsewhere')).toBe(101);
      waiting[0]?.send({ type: 'auth', token: engine.tokenFor('crowd') });
      await until(() => waiting[0]?.types().includes('auth_success') === true, 2_000, 'auth_success');
      expect(await upgradeStatus(engine.url, 'crowd')).toBe(101);
    });
  },
);

describe('unauthenticated and abusive sockets on the Node gateway', () => {
  it('caps sockets still to authenticate per address (429) and overall (503), before any handshake', async () => {
    let address = 'a';
    const gateway = await startGateway({
      maxUnauthenticatedPerAddress: 2,
      maxUnauthenticatedSockets: 3,
      clientAddress: () => address,
    });
    const first = await Promise.all([peer(gateway.url, 'x'), peer(gateway.url, 'x')]);
    expect(await upgradeStatus(gateway.url, 'x')).toBe(429);
    address = 'b';
    expect(await upgradeStatus(gateway.url, 'x')).toBe(101);
    expect(await upgradeStatus(gateway.url, 'x')).toBe(503);
    first[0]?.send({ type: 'auth', token: tokenFor('x') });
    await until(() => first[0]?.types().includes('auth_success') === true, 2_000, 'auth_success');
    expect(gateway.unauthenticatedCount).toBe(2);
    expect(await upgradeStatus(gateway.url, 'x')).toBe(101);
  });

  it('cuts idle unauthenticated sockets soon after the auth deadline, even ones that never answer the close', async () => {
    const gateway = await startGateway({
      authTimeoutMs: 300,
      closeGraceMs: 300,
      maxUnauthenticatedPerAddress: 1_000,
    });
    const idle = await Promise.all(
      Array.from({ length: 200 }, () => peer(gateway.url, 'idle', { read: false })),
    );
    expect(gateway.connectionCount).toBe(200);
    const started = Date.now();
    await until(() => gateway.connectionCount === 0, 3_000, 'every socket cut');
    const clearedMs = Date.now() - started;
    console.log(
      `unauthenticated: 200 idle sockets cut ${clearedMs} ms after opening (auth timeout 300 ms, grace 300 ms)`,
    );
    expect(clearedMs).toBeLessThan(2_500); // ~35 s before: 4008 sent, TCP held
    expect(idle).toHaveLength(200);
  });

  it('stops reading a flooding socket at once after 4429 and cuts it within the grace, however much it keeps sending', async () => {
    const gateway = await startGateway({ rateLimit: { burst: 20, perSecond: 10 }, closeGraceMs: 500 });
    const flooder = await peer(gateway.url, 'flood', { read: false });
    flooder.send({ type: 'auth', token: tokenFor('flood') });
    const frame = JSON.stringify({ type: 'heartbeat' });
    let sent = 0;
    const flood = setInterval(() => {
      for (let i = 0; i < 500; i++, sent++) flooder.ws.send(frame);
    }, 5);
    onCleanup(() => clearInterval(flood));
    const started = Date.now();
    await until(() => gateway.connectionCount === 0, 2_000, 'the cut');
    clearInterval(flood);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(sent).toBeGreaterThan(1_000);
  });

  it('cuts an HTTP connection that does not finish its headers in time', async () => {
    const gateway = await startGateway({ headersTimeoutMs: 300 });
    const { socket, closed } = await tcp(gateway.url);
    const started = Date.now();
    socket.write('GET /ws?chatKey=slow HTTP/1.1\r\nHost: gateway\r\n');
    const dawdle = setInterval(() => socket.write('X-Slow: 1\r\n'), 50);
    onCleanup(() => clearInterval(dawdle));
    const at = await closed;
    expect(at - started).toBeLessThan(2_000);
    expect(at - started).toBeGreaterThanOrEqual(250);
  });
});
