import { defineConfig } from 'vitest/config';

// Tests import the package by name, as users do; the `source` condition resolves it to the TypeScript sources.
const conditions = ['source', 'import', 'node', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
  test: {
    // eventsource-parser (under the AI SDK) exports a `source` condition too, to TypeScript that Node
    // cannot load: the AI SDK's packages go through Vite, which transforms it.
    server: { deps: { inline: [/node_modules\/(ai|@ai-sdk\/[^/]+|eventsource-parser)\//] } },
    include: [
      'test/unit/**/*.test.ts',
      'test/integration/**/*.test.ts',
      'test/model/**/*.test.ts',
      'test/fuzz/**/*.test.ts',
      'test/chaos/**/*.test.ts',
      'test/conformance/**/*.test.ts',
      'test/abuse/**/*.test.ts',
    ],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
