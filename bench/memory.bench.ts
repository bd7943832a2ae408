/**
 * Memory: heap after 10,000 connect → drop → reconnect cycles vs after 100 (leak check), and the
 * memory per idle connected client with 1,000 clients in one process (client side only).
 */
import { WebSocket } from 'ws';
import { AgentGatewayClient } from '../src/index.js';
import { startGatewayProcess } from './lib/gateway.js';
import { InProcessSocket } from './lib/inProcessSocket.js';
import { ManualClock } from '../test/support/manualClock.js';
import { type BenchResult, main } from './lib/result.js';
import { figure } from './lib/stats.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('Run with --expose-gc');
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

/** One client through `cycles` link losses: open, authenticate, get dropped, wait out the backoff. */
function cycleClient(cycles: number[]): number[] {
  const clock = new ManualClock();
  const client = new AgentGatewayClient({
    gatewayUrl: 'ws://bench',
    token: 't',
    WebSocket: InProcessSocket,
    watchEnvironment: false,
    clock,
    maxReconnectAttempts: 0,
    reconnectJitter: 0,
  });
  client.connect('leak');
  const heaps: number[] = [];
  let done = 0;
  for (const target of cycles) {
    for (; done < target; done++) {
      const socket = InProcessSocket.last as InProcessSocket;
      socket.connectAndAuthenticate();
      socket.serverClose(1006);
      clock.runAll(); // the backoff
    }
    heaps.push(heap());
  }
  client.dispose();
  return heaps;
}

async function perClientBytes(count: number, over: 'in-process' | 'loopback'): Promise<number> {
  const gateway = over === 'loopback' ? await startGatewayProcess() : undefined;
  const before = heap();
  const clients: AgentGatewayClient[] = [];
  let connected = 0;
  const all = new Promise<void>((resolve) => {
    for (let i = 0; i < count; i++) {
      const chatKey = `idle-${i}`;
      const client = new AgentGatewayClient({
        gatewayUrl: gateway?.url ?? 'ws://bench',
        token: gateway?.tokenFor(chatKey) ?? 't',
        WebSocket: gateway ? WebSocket : InProcessSocket,
        watchEnvironment: false,
      });
      client.on('connected', () => {
        if (++connected === count) resolve();
      });
      client.connect(chatKey);
      if (!gateway) (InProcessSocket.last as InProcessSocket).connectAndAuthenticate();
      clients.push(client);
    }
  });
  await all;
  const after = heap();
  for (const client of clients) client.dispose();
  await gateway?.stop();
  return (after - before) / count;
}

async function run(): Promise<BenchResult> {
  const runs = [0, 1, 2].map(() => cycleClient([100, 10_000, 50_000]));
  const at100 = runs.map((r) => r[0] as number);
  const at10k = runs.map((r) => r[1] as number);
  const growth = runs.map((r) => (r[1] as number) - (r[0] as number));
  // The first thousands of cycles include warm-up (JIT, one-time allocations): the slope after them
  // is what a leak would show.
  const slope = runs.map((r) => (r[2] as number) - (r[1] as number));
  const inProcess = [await perClientBytes(1_000, 'in-process'), await perClientBytes(1_000, 'in-process')];
  const loopback = [await perClientBytes(1_000, 'loopback')];
  const worstGrowth = Math.max(...growth);
  const worstSlope = Math.max(...slope);
  return {
    title: 'Memory',
    figures: [
      figure(
        'heap after 100 reconnect cycles',
        'MB',
        at100.map((b) => b / 2 ** 20),
      ),
      figure(
        'heap after 10 000 reconnect cycles',
        'MB',
        at10k.map((b) => b / 2 ** 20),
      ),
      figure(
        'heap growth 100 → 10 000 cycles',
        'KB',
        growth.map((b) => b / 1024),
      ),
      figure(
        'heap growth 10 000 → 50 000 cycles',
        'KB',
        slope.map((b) => b / 1024),
        'a leak grows here',
      ),
      figure(
        'per idle connected client (client only)',
        'KB',
        inProcess.map((b) => b / 1024),
        '1 000 clients, in-process socket',
      ),
      figure(
        'per idle connected client (with its ws socket)',
        'KB',
        loopback.map((b) => b / 1024),
        '1 000 clients over loopback',
      ),
    ],
    checks: [
      {
        name: 'no leak over 10 000 reconnect cycles (≤ 1 MB growth)',
        pass: worstGrowth <= 2 ** 20,
        detail: `${(worstGrowth / 1024).toFixed(1)} KB`,
      },
      {
        name: 'flat after warm-up (10 000 → 50 000 cycles, ≤ 256 KB)',
        pass: worstSlope <= 256 * 1024,
        detail: `${(worstSlope / 1024).toFixed(1)} KB`,
      },
    ],
  };
}

await main(run);
