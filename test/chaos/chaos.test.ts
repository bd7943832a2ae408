import {
  createGatewayServer,
  createSessionToken,
  createTokenVerifier,
  type GatewayDialect,
  type GatewayServer,
} from 'agent-gateway-client/server';
import { describe, expect, it } from 'vitest';
import { type ChaosAgentControl, createChaosAgent } from './chaosAgent.js';
import { type ChaosClient, startChaosClient } from './chaosClient.js';
import { type ChaosProxy, createChaosProxy } from './chaosProxy.js';
import type { DeliveryTally } from './checks.js';
import { chaosSeed, deriveRandom } from './random.js';
import { commandRewrites, describeRun, judgeSession } from './report.js';
import { activeResources, eventually, leaked, sleep, withHardTimeout } from './support.js';

const envNumber = (name: string, fallback: number) => {
  const value = Number(process.env[name] || fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

/** Cuts to inject before the sessions are let finish (CI: 1000). */
const TARGET_CUTS = envNumber('CHAOS_CUTS', 200);
const SESSIONS = envNumber('CHAOS_SESSIONS', 8);
/** The run fails with a report of the stuck sessions past this. */
const HARD_TIMEOUT_MS = envNumber('CHAOS_TIMEOUT_MS', 15_000 + TARGET_CUTS * 45);
const SECRET = 'chaos-secret-of-at-least-32-bytes';
const CLOSED = 3;

/** One line per session that has not completed, for the hard-timeout message. */
function describeStuck(clients: ChaosClient[], gateway: GatewayServer, proxy: ChaosProxy): string {
  const lines = clients
    .filter(({ record }) => !record.completed)
    .map(({ chatKey, client, record }) => {
      const session = gateway.session(chatKey);
      const { status, queuedCommands, unconfirmedCommands } = client.getSnapshot();
      return (
        `  ${chatKey}: client ${status}, queued ${queuedCommands}, unconfirmed ${unconfirmedCommands}, ` +
        `delivered ${record.ids.length}/${session?.log.size ?? 0}, server status ${session?.status}, ` +
        `issued ${record.issued.length}, applied ${session?.applied.length ?? 0}`
      );
    });
  return [
    `chaos: hard timeout after ${HARD_TIMEOUT_MS} ms with ${proxy.stats.cuts}/${TARGET_CUTS} cuts ` +
      `(faults ${proxy.injecting ? 'still on' : 'stopped'}); sessions not complete:`,
    ...lines,
  ].join('\n');
}

// The reference gateway orders replays and deduplicates commands by id; the original one and
// LobeHub's stream live events before their replay (which repeats them) and cannot deduplicate: the
// client's filters and its ordering of the replay (LobeHub's by id) do the work, and unconfirmed
// commands are answered again by the app.
describe.each<GatewayDialect>(['reference', 'original', 'lobehub'])(
  'chaos against the %s gateway',
  (dialect) => {
    it(
      `delivers every event once and in order and applies every command once across ≥ ${TARGET_CUTS} cuts`,
      { timeout: HARD_TIMEOUT_MS + 30_000 },
      async () => {
        // Measured after a settle and before any logging (vitest flushes console output with a timer).
        await sleep(100);
        const resourcesBefore = activeResources();
        const seed = chaosSeed();
        console.log(
          `chaos dialect=${dialect} seed=${seed} target=${TARGET_CUTS} sessions=${SESSIONS} ` +
            `(replay: CHAOS_SEED=${seed} CHAOS_CUTS=${TARGET_CUTS})`,
        );
        const control: ChaosAgentControl = { finishing: false, halted: false };
        const clients: ChaosClient[] = [];
        let gateway: GatewayServer | undefined;
        let proxy: ChaosProxy | undefined;
        const started = performance.now();
        try {
          const gw = (gateway = await createGatewayServer({
            verifyToken: createTokenVerifier(SECRET),
            agent: createChaosAgent({ seed, control }),
            dialect,
          }));
          // Once the target is reached the proxy stops injecting and every agent ends its current round.
          const px = (proxy = await createChaosProxy({
            target: { host: '127.0.0.1', port: gw.port },
            random: deriveRandom(seed, 'proxy'),
            maxCuts: TARGET_CUTS,
            onCut: ({ cuts }) => {
              if (cuts >= TARGET_CUTS) control.finishing = true;
            },
          }));
          for (let i = 1; i <= SESSIONS; i++) {
            const chatKey = `chaos-${i}`;
            const token = createSessionToken({ secret: SECRET, chatKey, ttlMs: 3_600_000 });
            const random = deriveRandom(seed, `client:${chatKey}`);
            clients.push(startChaosClient({ gatewayUrl: px.url, chatKey, token, random, dialect }));
          }
          for (const { client, chatKey } of clients) client.connect(chatKey);
          await withHardTimeout(Promise.all(clients.map(({ completed }) => completed)), HARD_TIMEOUT_MS, () =>
            describeStuck(clients, gw, px),
          );
          const wallMs = performance.now() - started;

          const total: DeliveryTally = { lost: 0, duplicated: 0, reordered: 0, unknown: 0 };
          const failures: string[] = [];
          let events = 0;
          let commands = 0;
          for (const chaos of clients) {
            const verdict = judgeSession(chaos, gw.session(chaos.chatKey), dialect);
            events += verdict.events;
            commands += verdict.commands;
            for (const key of Object.keys(total) as (keyof DeliveryTally)[]) total[key] += verdict.tally[key];
            failures.push(...verdict.failures);
          }
          const stats = { ...px.stats };
          console.log(describeRun(seed, wallMs, stats, clients));
          const duplicatesFiltered = clients.reduce(
            (sum, { client }) => sum + client.stats.duplicateFrames,
            0,
          );
          const rewrites = clients.reduce((sum, chaos) => sum + commandRewrites(chaos), 0);
          const fewestReconnects = Math.min(...clients.map(({ record }) => record.reconnects));
          console.log(
            `chaos: dialect=${dialect} cuts=${stats.cuts} events=${events} commands=${commands} ` +
              `lost=${total.lost} duplicated=${total.duplicated} reordered=${total.reordered} ` +
              `duplicatesFiltered=${duplicatesFiltered} commandRewrites=${rewrites} ` +
              `fewestReconnectsPerSession=${fewestReconnects}`,
          );
          if (failures.length > 0) console.error(`chaos seed=${seed} failures:\n  ${failures.join('\n  ')}`);

          // Leaks: every socket closes once the clients are disposed, and no timer outlives the run.
          for (const chaos of clients) chaos.dispose();
          const drained = await eventually(
            () => gw.connectionCount === 0 && px.stats.openSockets === 0,
            5_000,
          );
          const openSockets = {
            gateway: gw.connectionCount,
            proxy: px.stats.openSockets,
            client: clients.flatMap(({ sockets }) => sockets).filter((ws) => ws.readyState !== CLOSED).length,
          };
          await px.close();
          await gw.close();
          // Closed servers release their handles asynchronously: let them settle.
          await eventually(() => Object.keys(leaked(resourcesBefore)).length === 0, 3_000);
          const leftover = leaked(resourcesBefore);

          expect(failures).toEqual([]);
          expect(total).toEqual({ lost: 0, duplicated: 0, reordered: 0, unknown: 0 });
          expect(stats.cuts).toBeGreaterThanOrEqual(TARGET_CUTS);
          expect(stats.handshakeCuts).toBeGreaterThan(0);
          expect(stats.cuts - stats.handshakeCuts).toBeGreaterThan(0);
          expect(commands).toBeGreaterThanOrEqual(SESSIONS * 3);
          expect(fewestReconnects).toBeGreaterThanOrEqual(10);
          // Each dialect's machinery was exercised, not just present: the original gateway's overlapping
          // replays were filtered, and commands lost with a link were re-sent to ours (applied once).
          if (dialect !== 'reference') expect(duplicatesFiltered).toBeGreaterThan(0);
          else expect(rewrites).toBeGreaterThan(0);
          expect(drained, `sockets left open: ${JSON.stringify(openSockets)}`).toBe(true);
          expect(openSockets).toEqual({ gateway: 0, proxy: 0, client: 0 });
          expect(leftover, `active resources beyond ${JSON.stringify(resourcesBefore)}`).toEqual({});
        } finally {
          control.halted = true;
          for (const chaos of clients) chaos.dispose();
          await proxy?.close();
          await gateway?.close();
        }
      },
    );
  },
);
