/**
 * Client throughput: frames/s through AgentGatewayClient (validation and dedup on) against the floor
 * "JSON.parse + one listener", in process and end to end over loopback, plus peer transports.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import PartySocket from 'partysocket/ws';
import ReconnectingWebSocketModule from 'reconnecting-websocket';
import { WebSocket } from 'ws';
import { AgentGatewayClient } from '../src/index.js';
import { textDeltaFrames } from './lib/frames.js';
import { type GatewayProcess, startGatewayProcess } from './lib/gateway.js';
import { type GatewayDialect, InProcessSocket } from './lib/inProcessSocket.js';
import { type BenchResult, type Check, main } from './lib/result.js';
import { type Figure, figure, repeat } from './lib/stats.js';

// A CommonJS package: its typings describe the module object, but the default import is the class.
const ReconnectingWebSocket = ReconnectingWebSocketModule as unknown as typeof PartySocket;

const BATCH = 5_000;
const WARMUP_BATCHES = 20;
const BATCHES = 60;
const LOOPBACK_FRAMES = 50_000;
const DIALECTS: GatewayDialect[] = ['reference', 'original'];
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

let sink = 0;
const listener = (message: { id: string }) => {
  sink += message.id.length;
};

/** The floor: the same in-process socket, JSON.parse, one listener. */
function floorSocket(): InProcessSocket {
  const socket = new InProcessSocket('floor');
  socket.addEventListener('message', (event) => listener(JSON.parse(event.data as string) as { id: string }));
  return socket;
}

/** A live client (validation and dedup on) behind a gateway of `dialect`: the socket to feed it by. */
function clientSocket(dialect: GatewayDialect): { socket: InProcessSocket; client: AgentGatewayClient } {
  const client = new AgentGatewayClient({
    gatewayUrl: 'ws://bench',
    token: 't',
    WebSocket: InProcessSocket,
    watchEnvironment: false,
  });
  client.on('agent_event', listener);
  client.connect('bench');
  const socket = InProcessSocket.last as InProcessSocket;
  socket.connectAndAuthenticate(dialect);
  if (client.connectionStatus !== 'connected') throw new Error(`The ${dialect} client is not live`);
  return { socket, client };
}

/** ns per frame to deliver `frames` through `socket`. */
function timeBatch(socket: InProcessSocket, frames: readonly string[]): number {
  const started = performance.now();
  for (const frame of frames) socket.deliver(frame);
  return ((performance.now() - started) / frames.length) * 1e6;
}

/**
 * The floor and a live client of `dialect` take turns on batches of distinct frames (the order
 * swapped every batch), so each ratio compares two runs a few milliseconds apart under the same
 * machine conditions. Returns ns per frame of each, batch by batch, after the warm-up batches.
 */
function pairedBatches(dialect: GatewayDialect): { floor: number[]; client: number[] } {
  const floor = floorSocket();
  const { socket, client } = clientSocket(dialect);
  const frames = textDeltaFrames((WARMUP_BATCHES + BATCHES) * BATCH, dialect);
  const times = { floor: [] as number[], client: [] as number[] };
  for (let b = 0; b < WARMUP_BATCHES + BATCHES; b++) {
    const batch = frames.slice(b * BATCH, (b + 1) * BATCH);
    const floorFirst = b % 2 === 0;
    const first = timeBatch(floorFirst ? floor : socket, batch);
    const second = timeBatch(floorFirst ? socket : floor, batch);
    if (b < WARMUP_BATCHES) continue;
    times.floor.push(floorFirst ? first : second);
    times.client.push(floorFirst ? second : first);
  }
  if (client.stats.duplicateFrames !== 0) throw new Error('Distinct frames were counted as duplicates');
  client.dispose();
  return times;
}

/**
 * Bytes allocated per frame once `socket` is warm: the median of five measurements of 5,000 frames,
 * leaving out any during which a garbage collection ran (its bytes would be missing).
 */
function allocationPerFrame(socket: InProcessSocket, epoch: string): number {
  const samples: number[] = [];
  for (let run = 0; run < 5; run++) {
    const warm = textDeltaFrames(BATCH, `${epoch}w${run}`);
    const frames = textDeltaFrames(BATCH, `${epoch}m${run}`);
    for (const frame of warm) socket.deliver(frame);
    let collections = 0;
    const observer = new PerformanceObserver((list) => {
      collections += list.getEntries().length;
    });
    gc();
    observer.observe({ entryTypes: ['gc'] });
    const before = process.memoryUsage().heapUsed;
    for (const frame of frames) socket.deliver(frame);
    const after = process.memoryUsage().heapUsed;
    observer.disconnect();
    if (collections === 0) samples.push((after - before) / frames.length);
  }
  return samples.length === 0 ? Number.NaN : figure('allocation', 'bytes', samples).median;
}

type Transport = 'bare ws' | 'AgentGatewayClient' | 'partysocket' | 'reconnecting-websocket';

/** Milliseconds for `count` replayed frames to reach one listener through a transport. */
function loopbackRun(
  gateway: GatewayProcess,
  chatKey: string,
  transport: Transport,
  count: number,
): Promise<number> {
  return new Promise((resolve) => {
    let received = 0;
    const started = performance.now();
    const done = (close: () => void) => {
      if (++received < count) return;
      resolve(performance.now() - started);
      close();
    };
    if (transport === 'AgentGatewayClient') {
      const client = new AgentGatewayClient({
        gatewayUrl: gateway.url,
        token: gateway.tokenFor(chatKey),
        WebSocket,
        watchEnvironment: false,
      });
      client.on('agent_event', (message) => {
        listener(message);
        done(() => client.dispose());
      });
      return client.connect(chatKey);
    }
    // The others: what a user builds instead — the transport, the handshake by hand, parse + dispatch.
    const url = gateway.wsUrl(chatKey);
    const socket =
      transport === 'bare ws'
        ? new WebSocket(url)
        : transport === 'partysocket'
          ? new PartySocket(url, [], { WebSocket })
          : new ReconnectingWebSocket(url, [], { WebSocket });
    socket.addEventListener('open', () =>
      socket.send(JSON.stringify({ token: gateway.tokenFor(chatKey), type: 'auth' })),
    );
    socket.addEventListener('message', (event: { data: unknown }) => {
      const message = JSON.parse(String(event.data)) as { type: string; id: string };
      if (message.type === 'auth_success')
        socket.send('{"lastEventId":"","type":"resume","wantStatus":true}');
      else if (message.type === 'agent_event') {
        listener(message);
        done(() => socket.close());
      }
    });
  });
}

async function run(): Promise<BenchResult> {
  const perSecond = (values: number[]) => values.map((ns) => 1e9 / ns);
  const figures: Figure[] = [];
  const checks: Check[] = [];
  const floorAllocation = allocationPerFrame(floorSocket(), 'floor');
  figures.push(figure('allocation per frame: floor', 'bytes', [floorAllocation]));
  for (const dialect of DIALECTS) {
    const { floor, client } = pairedBatches(dialect);
    const ratio = figure(
      `in-process ratio client ÷ floor, ${dialect} gateway`,
      '×',
      client.map((ns, i) => (floor[i] as number) / ns),
      `${BATCHES} paired batches of ${BATCH} frames of ~95 bytes`,
    );
    const { socket, client: live } = clientSocket(dialect);
    const allocation = allocationPerFrame(socket, dialect);
    live.dispose();
    figures.push(
      figure(`in-process floor (JSON.parse + 1 listener), ${dialect} run`, 'frames/s', perSecond(floor)),
      figure(`in-process AgentGatewayClient, ${dialect} gateway`, 'frames/s', perSecond(client)),
      ratio,
      figure(
        `per-frame overhead (client − floor), ${dialect} gateway`,
        'ns',
        client.map((ns, i) => ns - (floor[i] as number)),
      ),
      figure(`allocation per frame: client, ${dialect} gateway`, 'bytes', [allocation]),
    );
    checks.push(
      {
        name: `in-process client (${dialect} gateway) ≥ 0.90× its floor`,
        pass: ratio.median >= 0.9,
        detail: `${ratio.median.toFixed(2)}×`,
      },
      {
        name: `allocation per frame (${dialect} gateway) ≤ the floor's + 64 bytes`,
        pass: allocation <= floorAllocation + 64,
        detail: `${Math.round(allocation)} B against ${Math.round(floorAllocation)} B`,
      },
    );
  }

  const gateway = await startGatewayProcess();
  try {
    const transports: Transport[] = [
      'bare ws',
      'AgentGatewayClient',
      'partysocket',
      'reconnecting-websocket',
    ];
    let session = 0;
    const loopbackRuns = await repeat(5, async () => {
      const times = new Map<Transport, number>();
      for (const transport of transports) {
        const chatKey = `loopback-${++session}`;
        await gateway.publish(chatKey, LOOPBACK_FRAMES);
        times.set(transport, await loopbackRun(gateway, chatKey, transport, LOOPBACK_FRAMES));
      }
      return times;
    });
    const timesOf = (transport: Transport) => loopbackRuns.map((times) => times.get(transport) as number);
    const rate = (ms: number[]) => ms.map((value) => (LOOPBACK_FRAMES / value) * 1000);
    const bare = timesOf('bare ws');
    for (const transport of transports) {
      figures.push(
        figure(
          `loopback ${transport}`,
          'frames/s',
          rate(timesOf(transport)),
          `${LOOPBACK_FRAMES}-event replay from the real gateway`,
        ),
      );
    }
    figures.push(
      figure(
        'loopback ratio client ÷ bare ws',
        '×',
        timesOf('AgentGatewayClient').map((ms, i) => (bare[i] as number) / ms),
      ),
    );
  } finally {
    await gateway.stop();
  }
  const loopbackRatio = figures.at(-1)?.median ?? Number.NaN;
  // Over loopback the socket and the gateway dominate and vary with the machine: a target, not a gate.
  checks.push({
    name: 'loopback client ≥ 0.90× bare ws',
    pass: loopbackRatio >= 0.9,
    detail: `${loopbackRatio.toFixed(2)}×`,
    informational: true,
  });
  if (sink === 0) throw new Error('No listener ran: the benchmark measured nothing');
  return { title: 'Client throughput', figures, checks };
}

await main(run);
