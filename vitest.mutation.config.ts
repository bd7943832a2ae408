import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// What Stryker runs for each mutant (stryker.config.json): the unit and model layers, deterministic
// and quick, loaded through one entry file (test/mutation/layers.mutation.ts). Fuzz (random seeds),
// chaos, integration and e2e run in `npm test` and CI.
export default defineConfig({
  ...base,
  test: { ...base.test, include: ['test/mutation/layers.mutation.ts'] },
});
