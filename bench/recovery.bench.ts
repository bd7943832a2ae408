/**
 * Recovery: time from the gateway dropping the link to the first resumed event on the client, with
 * backoff at its minimum, over 100+ drops; and the events lost or duplicated (must be 0).
 */
import { WebSocket } from 'ws';
import { AgentGatewayClient } from '../src/index.js';
import { startGatewayProcess } from './lib/gateway.js';
import { type BenchResult, main } from './lib/result.js';
import { figure, quantile } from './lib/stats.js';

const DROPS = 120;

async function run(): Promise<BenchResult> {
  const gateway = await startGatewayProcess();
  const chatKey = 'recovery';
  const delivered: string[] = [];
  let firstAfterDrop: (() => void) | undefined;
  await gateway.publish(chatKey, 10);
  const client = new AgentGatewayClient({
    gatewayUrl: gateway.url,
    token: gateway.tokenFor(chatKey),
    WebSocket,
    watchEnvironment: false,
    initialReconnectDelayMs: 0,
    reconnectJitter: 0,
    minUptimeMs: 0,
    maxReconnectAttempts: 0,
  });
  client.on('agent_event', (message) => {
    delivered.push(message.id);
    firstAfterDrop?.();
  });
  const ready = new Promise<void>((resolve) => client.on('connected', () => resolve()));
  client.connect(chatKey);
  await ready;
  while (delivered.length < 10) await new Promise((resolve) => setTimeout(resolve, 5));

  const samples: number[] = [];
  for (let drop = 0; drop < DROPS; drop++) {
    const resumed = new Promise<void>((resolve) => (firstAfterDrop = resolve));
    const started = performance.now();
    await gateway.drop(chatKey);
    // One event appended while the link is down: the first thing the resumed link must deliver.
    await gateway.publish(chatKey, 1);
    await resumed;
    samples.push(performance.now() - started);
    firstAfterDrop = undefined;
  }
  const total = await gateway.publish(chatKey, 0);
  client.dispose();
  await gateway.stop();

  const unique = new Set(delivered);
  const duplicated = delivered.length - unique.size;
  const lost = total - unique.size;
  const inOrder = delivered.every(
    (id, i) => i === 0 || Number(id.split('.')[1]) > Number(delivered[i - 1]?.split('.')[1]),
  );
  return {
    title: 'Recovery after a dropped link',
    figures: [
      figure(
        'recovery: drop → first resumed event (median)',
        'ms',
        [quantile(samples, 0.5)],
        `${DROPS} drops`,
      ),
      figure('recovery: drop → first resumed event (p99)', 'ms', [quantile(samples, 0.99)]),
      figure('recovery: events lost', 'events', [lost]),
      figure('recovery: events duplicated', 'events', [duplicated]),
    ],
    checks: [
      { name: 'recovery loses nothing', pass: lost === 0, detail: `${lost} lost of ${total}` },
      {
        name: 'recovery duplicates nothing, keeps order',
        pass: duplicated === 0 && inOrder,
        detail: `${duplicated} duplicated`,
      },
    ],
  };
}

await main(run);
