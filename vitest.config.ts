import { defineConfig } from 'vitest/config';

// Tests import the package by name, as users do; the `agent-gateway-client:source` condition resolves it to the TypeScript sources.
const conditions = ['agent-gateway-client:source', 'import', 'node', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['agent-gateway-client:source'] } },
  test: {
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
