import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The unit tests first, the model tests last: Stryker stops at the first failing test, so the model
 * layer (tens of thousands of steps) runs only for mutants the unit tests let live.
 */
class UnitFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => (file.moduleId.includes('/test/model/') ? 1 : 0);
    return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

// What Stryker runs for each mutant (stryker.config.json): the unit and model layers, deterministic
// and quick. Fuzz (random seeds), chaos, integration and e2e run in `npm test` and CI; the hook's and
// the layer rules' unit tests test code outside the mutated files.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/unit/**/*.test.ts', 'test/model/**/*.test.ts'],
    exclude: ['test/unit/react/**', 'test/unit/architecture/**'],
    sequence: { sequencer: UnitFirst },
  },
});
