/// <reference types="vite/client" />
import { describe } from 'vitest';

/**
 * The unit and model layers as one test file, for mutation testing only (vitest.mutation.config.ts):
 * Stryker runs a mutant's tests in a fresh worker per file, and one file means the client is loaded
 * once per mutant instead of once per test file. Each file keeps its own suite, so its hooks (fake
 * timers, a fake browser) stay its own. The unit tests come first: Stryker stops at the first failing
 * test, so the model layer runs only for mutants the unit tests let live.
 */
const files = import.meta.glob([
  '../unit/**/*.test.ts',
  '../model/**/*.test.ts',
  // The hook's and the layer rules' tests test code outside the mutated files.
  '!../unit/react/**',
  '!../unit/architecture/**',
]);
const rank = (path: string) => (path.startsWith('../model/') ? 1 : 0);
for (const path of Object.keys(files).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))) {
  describe(path.replace('../', 'test/'), async () => {
    await (files[path] as () => Promise<unknown>)();
  });
}
