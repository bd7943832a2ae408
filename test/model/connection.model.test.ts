import { AgentGatewayClient, connectionMachine } from 'agent-gateway-client';
import type { AnyEventObject, AnyMachineSnapshot } from 'xstate';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  chainable,
  CONFIGS,
  type ConfigName,
  EVENT_LABELS,
  eventLabel,
  eventsFor,
  runPath,
  serializeState,
} from './connection.harness.js';
import { FakeSocket } from '../support/fakeSocket.js';
import { createCoverage } from './support/coverage.js';
import { type TourPath, transitionTour } from './support/tour.js';

/** The machine definition the client runs (its actors provided): coverage is counted on it. */
function clientMachine() {
  const client = new AgentGatewayClient({
    gatewayUrl: 'https://gateway.test',
    token: 't',
    WebSocket: FakeSocket,
    watchEnvironment: false,
  });
  client.dispose();
  return client.actor.logic;
}

/** Where a path's last events are tried. */
const PHASES = [
  'disconnected',
  'connecting',
  'authenticating',
  'resuming',
  'ordering',
  'sequencing',
  'buffering',
  'live',
  'reconnecting',
];
function phaseOf(snapshot: AnyMachineSnapshot): string {
  return (
    ['resuming', 'ordering', 'sequencing', 'buffering', 'live'].find((replay) =>
      snapshot.matches({ link: { connected: { replay } } }),
    ) ??
    ['disconnected', 'reconnecting'].find((state) => snapshot.matches(state)) ??
    (snapshot.matches({ link: 'connecting' }) ? 'connecting' : 'authenticating')
  );
}

/**
 * The tour runs in one test per phase and kind of event tried (events that leave a state as it was
 * share one): a failure names where it is, and mutation testing runs only the tests that reach the
 * code a mutant changed.
 */
const UNCHANGED = 'events that leave the state as it was';
const GROUPS = PHASES.flatMap((phase) => [...EVENT_LABELS, UNCHANGED].map((label) => `${phase}: ${label}`));
function groupOf(path: TourPath): string {
  const label = path.tried > 1 ? UNCHANGED : eventLabel(path.events.at(-1) as AnyEventObject);
  return `${phaseOf(path.from)}: ${label}`;
}

// Computed in the first test that needs it (not at import: under mutation testing, what runs at
// import counts as run by every test).
const tours = new Map<ConfigName, TourPath[]>();
function tour(config: ConfigName): TourPath[] {
  let paths = tours.get(config);
  if (paths === undefined) {
    paths = transitionTour(connectionMachine, {
      input: { config: CONFIGS[config] },
      events: eventsFor,
      serializeState,
      chainable,
    });
    tours.set(config, paths);
  }
  return paths;
}

let coverage: ReturnType<typeof createCoverage>;
const totals = { groups: 0, paths: 0, steps: 0 };
// After the socket adapter crashed, leaving the link still sends it a close: XState warns in
// development builds. Nothing is lost (the adapter holds no socket any more); the warning is noise here.
const warn = console.warn;
beforeAll(() => {
  coverage = createCoverage(clientMachine());
  vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    if (!String(args[0]).startsWith('Event "close" was sent to stopped actor "socket')) warn(...args);
  });
});
afterAll(() => vi.restoreAllMocks());

describe.each(Object.keys(CONFIGS) as ConfigName[])(
  'connection (%s): paths from the machine graph, the real client judged by an independent oracle',
  (config) => {
    it.each(GROUPS)('%s: each step is what the oracle expects', async (group) => {
      for (const path of tour(config)) {
        if (groupOf(path) !== group) continue;
        await runPath(path.events, config, coverage.observe);
        totals.paths++;
        totals.steps += path.events.length;
      }
      totals.groups++;
    });
  },
);

it('the real client took every state and transition of its machine', () => {
  // Only meaningful when every group ran (a filtered run, e.g. `-t`, covers less).
  if (totals.groups < GROUPS.length * Object.keys(CONFIGS).length) return;
  console.log(
    `${coverage.line('connection, taken by the real client')} — ${totals.paths} paths, ${totals.steps} steps`,
  );
  expect(coverage.uncoveredStates()).toEqual([]);
  expect(coverage.uncoveredTransitions()).toEqual([]);
});
