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
import { InProcessSocket } from './lib/inProcessSocket.js';
import { type BenchResult, main } from './lib/result.js';
import { figure, repeat } from './lib/stats.js';

// A CommonJS package: its typings describe the module object, but the default import is the class.
const ReconnectingWebSocket = ReconnectingWebSocketModule as unknown as typeof PartySocket;

const IN_PROCESS_FRAMES = 200_000;
const LOOPBACK_FRAMES = 50_000;
const RUNS = 7;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

let sink = 0;
const listener = (message: { id: string }) => {
  sink += message.id.length;
};

/** ns per frame for the floor: the same in-process socket, JSON.parse, one listener. */
function floorRun(frames: string[]): number {
  const socket = new InProcessSocket('floor');
  socket.addEventListener('message', (event) => listener(JSON.parse(event.data as string) as { id: string }));
  const started = performance.now();
  for (const frame of frames) socket.deliver(frame);
  return ((performance.now() - started) / frames.length) * 1e6;
}

/** ns per frame for the client, validation and dedup on. */
function clientRun(frames: string[], dedupeWindow?: number): number {
  const client = new AgentGatewayClient({
    gatewayUrl: 'ws://bench',
    token: 't',
    WebSocket: InProcessSocket,
    watchEnvironment: false,
    ...(dedupeWindow ? { dedupeWindow } : {}),
  });
  client.on('agent_event', listener);
  client.connect('bench');
  const socket = InProcessSocket.last as InProcessSocket;
  socket.connectAndAuthenticate();
  const started = performance.now();
  for (const frame of frames) socket.deliver(frame);
  const ns = ((performance.now() - started) / frames.length) * 1e6;
  client.dispose();
  return ns;
}

/** Bytes allocated per frame, or NaN if a garbage collection ran during the measurement. */
function allocationPerFrame(run: (frames: string[]) => number): number {
  const frames = textDeltaFrames(5_000, 'alloc');
  run(frames); // warm up
  let collections = 0;
  const observer = new PerformanceObserver((list) => {
    collections += list.getEntries().length;
  });
  gc();
  observer.observe({ entryTypes: ['gc'] });
  const before = process.memoryUsage().heapUsed;
  run(frames);
  const after = process.memoryUsage().heapUsed;
  observer.disconnect();
  return collections === 0 ? (after - before) / frames.length : Number.NaN;
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
  const frames = textDeltaFrames(IN_PROCESS_FRAMES);
  // Interleaved, so both sides see the same machine conditions in every run.
  const runs = await repeat(
    RUNS,
    () => ({ floor: floorRun(frames), client: clientRun(frames), client1k: clientRun(frames, 1_000) }),
    2,
  );
  const floor = runs.map((r) => r.floor);
  const client = runs.map((r) => r.client);
  const client1k = runs.map((r) => r.client1k);
  const ratios = runs.map((r) => r.floor / r.client);
  const perSecond = (values: number[]) => values.map((ns) => 1e9 / ns);
  const figures = [
    figure('in-process floor (JSON.parse + 1 listener)', 'frames/s', perSecond(floor)),
    figure('in-process AgentGatewayClient (dedupeWindow 10 000)', 'frames/s', perSecond(client)),
    figure('in-process AgentGatewayClient (dedupeWindow 1 000)', 'frames/s', perSecond(client1k)),
    figure(
      'in-process ratio client ÷ floor',
      '×',
      ratios,
      `${IN_PROCESS_FRAMES} frames of ~95 bytes per run`,
    ),
    figure(
      'per-frame overhead (client − floor)',
      'ns',
      client.map((c, i) => c - (floor[i] as number)),
    ),
    figure('allocation per frame: floor', 'bytes', [allocationPerFrame(floorRun)]),
    figure('allocation per frame: client', 'bytes', [allocationPerFrame((f) => clientRun(f))]),
  ];

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
  const median = (name: string) => figures.find((f) => f.name === name)?.median ?? Number.NaN;
  const target = (name: string, ratio: number) => ({
    name: `${name} ≥ 0.90× its floor`,
    pass: ratio >= 0.9,
    detail: `${ratio.toFixed(2)}×`,
    informational: true,
  });
  if (sink === 0) throw new Error('No listener ran: the benchmark measured nothing');
  return {
    title: 'Client throughput',
    figures,
    checks: [
      target('in-process client', median('in-process ratio client ÷ floor')),
      target('loopback client', median('loopback ratio client ÷ bare ws')),
    ],
  };
}

await main(run);
