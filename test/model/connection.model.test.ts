import { connectionMachine } from 'agent-gateway-client';
import { describe, expect, it } from 'vitest';
import {
  CONFIGS,
  type ConfigName,
  eventsFor,
  MODEL_MACHINE,
  runPath,
  serializeState,
} from './connection.harness.js';
import { createCoverage } from './support/coverage.js';
import { transitionTour } from './support/tour.js';

describe('connection machine: paths generated from its graph, run against the real client', () => {
  it('every generated path behaves like the model, and together they cover every state and transition', async () => {
    const coverage = createCoverage(MODEL_MACHINE);
    let paths = 0;
    let steps = 0;
    for (const config of Object.keys(CONFIGS) as ConfigName[]) {
      const tour = transitionTour(connectionMachine, {
        input: { config: CONFIGS[config] },
        events: eventsFor,
        serializeState,
      });
      for (const path of tour) {
        await runPath(path, config, coverage);
        paths++;
        steps += path.length;
      }
    }
    console.log(`${coverage.line('connection')} — ${paths} paths, ${steps} steps`);
    expect(coverage.uncoveredStates()).toEqual([]);
    expect(coverage.uncoveredTransitions()).toEqual([]);
  }, 300_000);
});
