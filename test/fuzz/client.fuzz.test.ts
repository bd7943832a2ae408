import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { emptyTotals, runScenario, type Totals } from './driver.js';
import { type FakeEnvironment, installFakeEnvironment } from '../support/browser.js';
import { configArb, type Reentrant, type Scenario, scenarioArb } from './steps.js';

// Sized so that the main property alone delivers well over 100 000 server frames, in about 25 s on 2 cores.
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const MAX_STEPS = 600;
const MIN_FRAMES = 100_000;
const REENTRANT_RUNS = Math.ceil(RUNS / 5);

const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const path = process.env.FUZZ_PATH || undefined;

const MAIN = 'keeps every invariant after every step';
const REENTRANT = 'keeps every invariant when listeners call back into the client';

let environment: FakeEnvironment;
const totals = { main: emptyTotals(), reentrant: emptyTotals() };

beforeAll(() => {
  vi.useFakeTimers();
  environment = installFakeEnvironment();
});

afterAll(() => {
  environment.uninstall();
  vi.useRealTimers();
  const [runs, steps, frames] = (['runs', 'steps', 'frames'] as const).map(
    (key) => totals.main[key] + totals.reentrant[key],
  );
  console.log(`fuzz: runs=${runs} steps=${steps} frames=${frames} seed=${seed}`);
  if (process.env.FUZZ_VERBOSE) console.log('fuzz details:', JSON.stringify(totals));
});

/** Checks the property with the run's seed; a failure says how to replay it. */
function check(name: string, scenarios: fc.Arbitrary<Scenario>, numRuns: number, counts: Totals): void {
  const property = fc.property(scenarios, (scenario) => runScenario(scenario, counts, environment));
  fc.assert(property, {
    seed,
    path,
    numRuns: path ? 1 : numRuns,
    endOnFailure: path !== undefined,
    includeErrorInReport: true,
    reporter: (details) => {
      if (!details.failed) return;
      const only = `-- -t '${name}'`;
      throw new Error(
        `${fc.defaultReportMessage(details)}\n\n` +
          `Replay the shrunk counterexample: FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath} npm run test:fuzz ${only}\n` +
          `Replay the whole run: FUZZ_SEED=${details.seed} npm run test:fuzz ${only}`,
      );
    },
  });
}

describe('AgentGatewayClient under random sockets, servers, users and clocks', () => {
  it(
    MAIN,
    () => {
      check(MAIN, scenarioArb(MAX_STEPS), RUNS, totals.main);
      if (!path) expect(totals.main.frames).toBeGreaterThanOrEqual(MIN_FRAMES);
    },
    180_000,
  );

  it(
    REENTRANT,
    () => {
      const reentrant = fc.constantFrom<Reentrant>(
        'connectOnDisconnected',
        'resendDropped',
        'disposeOnConnected',
        'disposeOnReconnecting',
        'disposeOnComplete',
        'disposeOnEvent',
      );
      check(REENTRANT, scenarioArb(MAX_STEPS, configArb({ reentrant })), REENTRANT_RUNS, totals.reentrant);
      expect(totals.reentrant.runs).toBeGreaterThanOrEqual(REENTRANT_RUNS);
    },
    60_000,
  );
});
