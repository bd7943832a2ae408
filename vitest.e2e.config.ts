import { defineConfig } from 'vitest/config';

const conditions = ['agent-gateway-client:source', 'import', 'node', 'default'];

// The demo page in real Chromium (Debian's /usr/bin/chromium, driven by playwright-core).
export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['agent-gateway-client:source'] } },
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
