/**
 * The probes of issue 12, each against its own Node gateway in this process (loopback, raw `ws`
 * clients), for bench/hardening.bench.ts.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import {
  createGatewayServer,
  createSessionToken,
  createTokenVerifier,
  type GatewayCloseEvent,
  type GatewayServerOptions,
} from '../../server/index.js';

const SECRET = 'hardening-bench-secret-of-32-bytes-or-more';
const MiB = 1024 * 1024;
const payload = 'x'.repeat(1024 - 80);
const text = (content: string) => ({ type: 'agent_event', event: { kind: 'text_delta', content } }) as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const turn = () => new Promise((resolve) => setImmediate(resolve));
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const rss = () => {
  gc();
  return process.memoryUsage().rss;
};
/** Memory the process still holds after a full GC: JS heap plus buffers outside it. */
const retained = () => {
  gc();
  gc();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
};

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

async function gatewayWith(options: Partial<GatewayServerOptions> = {}) {
  return createGatewayServer({ verifyToken: createTokenVerifier(SECRET), ...options });
}

function open(url: string, chatKey: string, { read = true } = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?chatKey=${encodeURIComponent(chatKey)}`);
    ws.on('error', reject);
    ws.on('open', () => {
      if (!read) ws.pause();
      resolve(ws);
    });
  });
}

const token = (chatKey: string, ttlMs = 3_600_000) => createSessionToken({ secret: SECRET, chatKey, ttlMs });
const authAndResume = (ws: WebSocket, chatKey: string) => {
  ws.send(JSON.stringify({ token: token(chatKey), type: 'auth' }));
  ws.send(JSON.stringify({ lastEventId: '', type: 'resume', wantStatus: true }));
};

/** An authenticated reader stops reading; 100 MB published. */
export async function slowReader() {
  const closes: GatewayCloseEvent[] = [];
  const gateway = await gatewayWith({ onClose: (event) => closes.push(event) });
  const before = rss();
  const retainedBefore = retained();
  let peak = before;
  let retainedPeak = 0;
  const ws = await open(gateway.url, 'slow', { read: false });
  authAndResume(ws, 'slow');
  await until(() => gateway.session('slow')?.subscriberCount === 1, 2_000);
  const session = gateway.openSession('slow');
  let published = 0;
  while (published < 100 * MiB) {
    for (let i = 0; i < 256; i++) session.publish(text(payload));
    published += 256 * 1024;
    peak = Math.max(peak, process.memoryUsage().rss);
    if (published % (8 * MiB) === 0) retainedPeak = Math.max(retainedPeak, retained() - retainedBefore);
    await turn();
  }
  await until(() => gateway.connectionCount === 0, 3_000);
  const dropped = closes.find(({ code }) => code === 1013);
  const after = rss();
  const retainedAfter = retained() - retainedBefore;
  ws.terminate();
  await gateway.close();
  return {
    droppedAtBytes: dropped?.bufferedBytes ?? Number.NaN,
    rssPeakGrowthMiB: (peak - before) / MiB,
    rssAfterGrowthMiB: (after - before) / MiB,
    retainedPeakMiB: retainedPeak / MiB,
    retainedAfterMiB: retainedAfter / MiB,
  };
}

/** 10 sockets ask for a 200k-event replay and do not read; one that reads is timed. */
export async function bigReplays() {
  const gateway = await gatewayWith({ maxLogEvents: 200_000 });
  const session = gateway.openSession('big');
  for (let i = 0; i < 200_000; i++) session.publish(text(`${i} ${payload.slice(0, 40)}`));
  const before = rss();
  const retainedBefore = retained();
  let peak = before;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const stalled = await Promise.all(
    Array.from({ length: 10 }, () => open(gateway.url, 'big', { read: false })),
  );
  for (const ws of stalled) authAndResume(ws, 'big');
  for (let i = 0; i < 40; i++) {
    await sleep(50);
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  const heldBytes = gateway.bufferedBytes;
  const stalledBlockMs = delay.max / 1e6;
  delay.disable();
  const retainedStalled = retained() - retainedBefore;
  delay.reset();
  delay.enable();
  let replayed = 0;
  const reader = await open(gateway.url, 'big');
  const started = performance.now();
  let complete = false;
  reader.on('message', (data) => {
    if (String(data).includes('"type":"resume_complete"')) complete = true;
    else replayed++;
  });
  authAndResume(reader, 'big');
  await until(() => complete, 60_000);
  const replayMs = performance.now() - started;
  delay.disable();
  for (const ws of [...stalled, reader]) ws.terminate();
  await gateway.close();
  return {
    rssGrowthMiB: (peak - before) / MiB,
    retainedStalledMiB: retainedStalled / MiB,
    heldBytes,
    stalledBlockMs,
    p99BlockMs: delay.percentile(99) / 1e6,
    longestBlockMs: delay.max / 1e6,
    replayMs,
    replayed: replayed - 1, // auth_success
  };
}

/** A 30-day token: when does auth_expired come? */
export async function monthToken() {
  const gateway = await gatewayWith();
  const ws = await open(gateway.url, 'month');
  const types: string[] = [];
  ws.on('message', (data) => types.push((JSON.parse(String(data)) as { type: string }).type));
  ws.send(JSON.stringify({ token: token('month', 30 * 24 * 3_600_000), type: 'auth' }));
  await sleep(1_000);
  ws.terminate();
  await gateway.close();
  return { expiredWithinOneSecond: types.includes('auth_expired') };
}

/** 20 raw clients with 300 ms tokens heartbeating every 50 ms through ~600 re-authentications. */
export async function expiryUnderTraffic() {
  const gateway = await gatewayWith();
  let reauths = 0;
  let stopping = false;
  const terminal: number[] = [];
  const clients = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const chatKey = `renew-${i}`;
      const ws = await open(gateway.url, chatKey);
      ws.on('message', (data) => {
        const type = (JSON.parse(String(data)) as { type: string }).type;
        if (type === 'auth_expired') {
          reauths++;
          // A heartbeat and a command cross the notice on the wire, as they do in real traffic.
          ws.send('{"type":"heartbeat"}');
          ws.send('{"content":"x","requestId":"none","type":"user_input"}');
          ws.send(JSON.stringify({ token: token(chatKey, 300), type: 'auth' }));
        }
        if (type === 'auth_success')
          ws.send(JSON.stringify({ lastEventId: '', type: 'resume', wantStatus: true }));
      });
      ws.on('close', (code) => {
        if (!stopping) terminal.push(code);
      });
      ws.send(JSON.stringify({ token: token(chatKey, 300), type: 'auth' }));
      const beat = setInterval(() => ws.readyState === ws.OPEN && ws.send('{"type":"heartbeat"}'), 50);
      return { ws, beat };
    }),
  );
  await until(() => reauths >= 600 || terminal.length === 20, 30_000);
  stopping = true;
  for (const { ws, beat } of clients) {
    clearInterval(beat);
    ws.terminate();
  }
  await gateway.close();
  return { reauths, closedByGateway: terminal.length, codes: [...new Set(terminal)] };
}

/** One wildcard token opening 2,000 chatKeys, then leaving. */
export async function wildcardSessions() {
  const gateway = await gatewayWith({ sessionTtlMs: 1_000, maxUnauthenticatedPerAddress: 2_000 });
  const wildcard = createSessionToken({ secret: SECRET, anyChatKey: true });
  const before = retained();
  let accepted = 0;
  const sockets: WebSocket[] = [];
  for (let batch = 0; batch < 2_000; batch += 100) {
    const opened = await Promise.all(
      Array.from({ length: 100 }, (_, i) => open(gateway.url, `k-${batch + i}`)),
    );
    await Promise.all(
      opened.map(
        (ws) =>
          new Promise<void>((resolve) => {
            ws.once('message', (data) => {
              if (String(data).includes('auth_success')) accepted++;
              resolve();
            });
            ws.send(JSON.stringify({ token: wildcard, type: 'auth' }));
          }),
      ),
    );
    sockets.push(...opened);
  }
  const held = gateway.sessionCount;
  const grown = (retained() - before) / MiB;
  for (const ws of sockets) ws.close();
  await until(() => gateway.sessionCount === 0, 5_000);
  const result = { accepted, held, evicted: gateway.evictedSessions, left: gateway.sessionCount, grown };
  await gateway.close();
  return result;
}

/** An authenticated socket that says nothing (idle timeout shrunk to 2 s). */
export async function silentSocket() {
  const gateway = await gatewayWith({ idleTimeoutMs: 2_000 });
  const ws = await open(gateway.url, 'silent');
  authAndResume(ws, 'silent');
  const started = performance.now();
  const code = await new Promise<number>((resolve) => ws.on('close', resolve));
  const ms = performance.now() - started;
  await gateway.close();
  return { code, ms };
}

/** 2,000 idle unauthenticated sockets that never read (caps raised so all are accepted; defaults refuse most). */
export async function idleUnauthenticated() {
  const defaults = await gatewayWith();
  const refused = await Promise.all(
    Array.from({ length: 300 }, () =>
      open(defaults.url, 'idle', { read: false }).then(
        (ws) => ws,
        () => undefined,
      ),
    ),
  );
  const acceptedByDefault = refused.filter(Boolean).length;
  for (const ws of refused) ws?.terminate();
  await defaults.close();

  const gateway = await gatewayWith({
    maxUnauthenticatedPerAddress: 2_000,
    maxUnauthenticatedSockets: 2_000,
  });
  const sockets: WebSocket[] = [];
  for (let i = 0; i < 2_000; i += 200)
    sockets.push(
      ...(await Promise.all(Array.from({ length: 200 }, () => open(gateway.url, 'idle', { read: false })))),
    );
  const started = performance.now();
  await until(() => gateway.connectionCount === 0, 20_000);
  const clearedMs = performance.now() - started;
  for (const ws of sockets) ws.terminate();

  // A flood after 4429: the gateway stops reading at once and cuts the socket after the grace.
  const flooder = await open(gateway.url, 'flood', { read: false });
  flooder.send(JSON.stringify({ token: token('flood'), type: 'auth' }));
  const flood = setInterval(() => {
    for (let i = 0; i < 1_000; i++) flooder.send('{"type":"heartbeat"}');
  }, 2);
  const floodStarted = performance.now();
  await until(() => gateway.connectionCount === 0, 10_000);
  const floodCutMs = performance.now() - floodStarted;
  clearInterval(flood);
  flooder.terminate();
  await gateway.close();
  return { acceptedByDefault, clearedMs, floodCutMs };
}
