/**
 * Client throughput: frames/s through AgentGatewayClient (validation and dedup on) against the floor
 * "JSON.parse + one listener", in process and end to end over loopback, plus peer transports.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import PartySocket from 'partysocket/ws';
import ReconnectingWebSocketModule from 'reconnecting-websocket';
import { WebSocket } from 'ws';
import { AgentGatewayClient } from '../src/index.js';
import { lobehubDialect } from '../src/lobehub/index.js';
import { lobehubTextFrames, textDeltaFrames } from './lib/frames.js';
import { type GatewayProcess, startGatewayProcess } from './lib/gateway.js';
import { type GatewayDialect, InProcessSocket } from './lib/inProcessSocket.js';
import { type BenchResult, type Check, main } from './lib/result.js';
import { type Figure, figure, repeat } from './lib/stats.js';

// A CommonJS package: its typings describe the module object, but the default import is the class.
const ReconnectingWebSocket = ReconnectingWebSocketModule as unknown as typeof PartySocket;

const BATCH = 5_000;
const WARMUP_BATCHES = 20;
const BATCHES = 100;
const ALLOCATION_FRAMES = 5_000;
const LOOPBACK_FRAMES = 50_000;
const DIALECTS: GatewayDialect[] = ['reference', 'original', 'lobehub'];
/** Each dialect's frames, and the floor it is compared with (the same frames through JSON.parse + 1 listener). */
const FRAMES: Record<GatewayDialect, (count: number, tag: string, first?: number) => string[]> = {
  reference: textDeltaFrames,
  original: textDeltaFrames,
  lobehub: (count) => lobehubTextFrames(count),
};
const FLOOR_OF: Record<GatewayDialect, 'floor' | 'floor (LobeHub frames)'> = {
  reference: 'floor',
  original: 'floor',
  lobehub: 'floor (LobeHub frames)',
};
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
    ...(dialect === 'lobehub' ? { dialect: lobehubDialect } : {}),
  });
  client.on('agent_event', listener);
  // LobeHub's operation is named in its events: the frames carry the one each run follows.
  client.connect(dialect === 'lobehub' ? 'lobehub' : 'bench');
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

/** ns per frame of each runner, batch by batch after the warm-up, and their bytes per frame. */
interface PairedTimes {
  floors: Record<'floor' | 'floor (LobeHub frames)', number[]>;
  clients: Record<GatewayDialect, number[]>;
  allocation: Record<'floor' | 'floor (LobeHub frames)' | GatewayDialect, number>;
}

/**
 * The floors and a live client per dialect take turns on batches of distinct frames (the order
 * reversed every batch), so each ratio compares runs a few milliseconds apart under the same
 * machine conditions, and no runner is always first.
 */
function pairedBatches(): PairedTimes {
  const runners = [
    { name: 'floor' as const, socket: floorSocket(), frames: textDeltaFrames },
    { name: 'floor (LobeHub frames)' as const, socket: floorSocket(), frames: FRAMES.lobehub },
    ...DIALECTS.map((dialect) => ({ name: dialect, frames: FRAMES[dialect], ...clientSocket(dialect) })),
  ];
  const frames = new Map(
    runners.map(({ name, frames: make }) => [name, make((WARMUP_BATCHES + BATCHES) * BATCH, name)]),
  );
  const times = new Map(runners.map(({ name }) => [name, [] as number[]]));
  for (let b = 0; b < WARMUP_BATCHES + BATCHES; b++) {
    for (const { name, socket } of b % 2 === 0 ? runners : [...runners].reverse()) {
      const batch = (frames.get(name) as string[]).slice(b * BATCH, (b + 1) * BATCH);
      const ns = timeBatch(socket, batch);
      if (b >= WARMUP_BATCHES) times.get(name)?.push(ns);
    }
  }
  const allocation = allocationPerFrame(
    runners.map(({ name, socket, frames: make }) => ({ name, socket, make })),
    (WARMUP_BATCHES + BATCHES) * BATCH + 1,
  );
  for (const runner of runners) {
    if ('client' in runner) {
      if (runner.client.stats.duplicateFrames !== 0) throw new Error('Distinct frames counted as duplicates');
      runner.client.dispose();
    }
  }
  const timesOf = (name: string) => times.get(name as 'floor') as number[];
  const allocationOf = (name: string) =>
    allocation[runners.findIndex((runner) => runner.name === name)] as number;
  return {
    floors: { floor: timesOf('floor'), 'floor (LobeHub frames)': timesOf('floor (LobeHub frames)') },
    clients: { reference: timesOf('reference'), original: timesOf('original'), lobehub: timesOf('lobehub') },
    allocation: {
      floor: allocationOf('floor'),
      'floor (LobeHub frames)': allocationOf('floor (LobeHub frames)'),
      reference: allocationOf('reference'),
      original: allocationOf('original'),
      lobehub: allocationOf('lobehub'),
    },
  };
}

/**
 * Bytes allocated per frame by each of `sockets`, warm, measured in turn: for each, the median of
 * five runs of frames that go on from the timed ones, leaving out any run during which a garbage collection ran (its
 * bytes would be missing).
 */
function allocationPerFrame(
  runners: Array<{
    name: string;
    socket: InProcessSocket;
    make: (count: number, tag: string, first?: number) => string[];
  }>,
  first: number,
): number[] {
  const samples = runners.map(() => [] as number[]);
  for (let run = 0; run < 5; run++) {
    runners.forEach(({ name, socket, make }, i) => {
      // The stream goes on where the timed batches stopped: the steady state of a live session.
      const frames = make(ALLOCATION_FRAMES, name, first + run * ALLOCATION_FRAMES);
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
      if (collections === 0) samples[i]?.push((after - before) / frames.length);
    });
  }
  return samples.map((values) =>
    values.length === 0 ? Number.NaN : figure('allocation', 'bytes', values).median,
  );
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
  const { floors, clients, allocation } = pairedBatches();
  figures.push(
    figure('in-process floor (JSON.parse + 1 listener)', 'frames/s', perSecond(floors.floor)),
    figure('allocation per frame: floor', 'bytes', [allocation.floor]),
    figure(
      'in-process floor, LobeHub frames (JSON.parse + 1 listener)',
      'frames/s',
      perSecond(floors['floor (LobeHub frames)']),
    ),
    figure('allocation per frame: floor, LobeHub frames', 'bytes', [allocation['floor (LobeHub frames)']]),
  );
  for (const dialect of DIALECTS) {
    const client = clients[dialect];
    const floorName = FLOOR_OF[dialect];
    const floor = floors[floorName];
    const size = dialect === 'lobehub' ? '~170 bytes' : '~95 bytes';
    const ratio = figure(
      `in-process ratio client ÷ floor, ${dialect} gateway`,
      '×',
      client.map((ns, i) => (floor[i] as number) / ns),
      `${BATCHES} batches of ${BATCH} frames of ${size}, taking turns with the ${floorName}`,
    );
    figures.push(
      figure(`in-process AgentGatewayClient, ${dialect} gateway`, 'frames/s', perSecond(client)),
      ratio,
      figure(
        `per-frame overhead (client − floor), ${dialect} gateway`,
        'ns',
        client.map((ns, i) => ns - (floor[i] as number)),
      ),
      figure(`allocation per frame: client, ${dialect} gateway`, 'bytes', [allocation[dialect]]),
    );
    checks.push(
      {
        name: `in-process client (${dialect} gateway) ≥ 0.90× its floor`,
        pass: ratio.median >= 0.9,
        detail: `${ratio.median.toFixed(2)}×`,
      },
      {
        name: `allocation per frame (${dialect} gateway) ≤ the floor's + 64 bytes`,
        pass: allocation[dialect] <= allocation[floorName] + 64,
        detail: `${Math.round(allocation[dialect])} B against ${Math.round(allocation[floorName])} B`,
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
