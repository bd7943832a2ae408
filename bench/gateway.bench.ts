/**
 * Gateway capacity on this machine: concurrent authenticated sessions held (up to 10,000), and the
 * fan-out rate of one session's events to 1,000 sockets. Raw `ws` clients, gateway in a child process.
 */
import { WebSocket } from 'ws';
import { type GatewayProcess, startGatewayProcess } from './lib/gateway.js';
import { type BenchResult, main } from './lib/result.js';
import { figure } from './lib/stats.js';

const SESSIONS = 10_000;
const FAN_OUT_SOCKETS = 1_000;
const FAN_OUT_EVENTS = 200;
const CONCURRENT_HANDSHAKES = 250;

/** Opens a socket, authenticates and resumes; resolves once it is live, with a frame counter. */
function openLive(gateway: GatewayProcess, chatKey: string, onEvent?: () => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(gateway.wsUrl(chatKey));
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ token: gateway.tokenFor(chatKey), type: 'auth' })));
    ws.on('message', (data) => {
      const text = String(data);
      // Link frames announce extensions and sort their keys: match the type, not a prefix.
      if (text.includes('"type":"auth_success"'))
        ws.send('{"lastEventId":"","type":"resume","wantStatus":true}');
      else if (text.includes('"type":"resume_complete"')) resolve(ws);
      else if (onEvent && text.startsWith('{"type":"agent_event"')) onEvent();
    });
  });
}

/** Runs `count` tasks with at most `limit` in flight. */
async function pooled<T>(count: number, limit: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await task(index);
      }
    }),
  );
  return results;
}

async function sessionsHeld(): Promise<{ held: number; seconds: number; perSessionKB: number }> {
  const gateway = await startGatewayProcess();
  const heapBefore = await gateway.heapUsed();
  const started = performance.now();
  const sockets = await pooled(SESSIONS, CONCURRENT_HANDSHAKES, (i) =>
    openLive(gateway, `s-${i}`).catch(() => undefined),
  );
  const seconds = (performance.now() - started) / 1000;
  const held = await gateway.connections();
  const heapAfter = await gateway.heapUsed();
  for (const ws of sockets) ws?.terminate();
  await gateway.stop();
  return { held, seconds, perSessionKB: (heapAfter - heapBefore) / held / 1024 };
}

async function fanOut(): Promise<number> {
  const gateway = await startGatewayProcess();
  let received = 0;
  let finish: (() => void) | undefined;
  const total = FAN_OUT_SOCKETS * FAN_OUT_EVENTS;
  const sockets = await pooled(FAN_OUT_SOCKETS, CONCURRENT_HANDSHAKES, () =>
    openLive(gateway, 'fan-out', () => {
      if (++received === total) finish?.();
    }),
  );
  const done = new Promise<void>((resolve) => (finish = resolve));
  const started = performance.now();
  await gateway.publish('fan-out', FAN_OUT_EVENTS);
  await done;
  const seconds = (performance.now() - started) / 1000;
  for (const ws of sockets) ws.terminate();
  await gateway.stop();
  return total / seconds;
}

async function run(): Promise<BenchResult> {
  const held = [await sessionsHeld(), await sessionsHeld()];
  const fan = [await fanOut(), await fanOut(), await fanOut(), await fanOut(), await fanOut()];
  return {
    title: 'Gateway capacity',
    figures: [
      figure(
        'authenticated sessions held',
        'sessions',
        held.map((h) => h.held),
        `target ${SESSIONS}, one socket each`,
      ),
      figure(
        'time to open and authenticate them',
        's',
        held.map((h) => h.seconds),
        `${CONCURRENT_HANDSHAKES} handshakes in flight`,
      ),
      figure(
        'gateway heap per session',
        'KB',
        held.map((h) => h.perSessionKB),
      ),
      figure('fan-out to 1 000 sockets of one session', 'frames/s', fan, `${FAN_OUT_EVENTS} events each`),
    ],
    checks: [
      {
        name: `holds ${SESSIONS} authenticated sessions`,
        pass: held.every((h) => h.held === SESSIONS),
        detail: held.map((h) => h.held).join(', '),
      },
    ],
  };
}

await main(run);
