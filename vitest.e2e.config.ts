import { defineConfig } from 'vitest/config';

const conditions = ['source', 'import', 'node', 'default'];

// The demo page in real Chromium (Debian's /usr/bin/chromium, driven by playwright-core).
export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
  test: {
    // eventsource-parser (under the AI SDK) exports a `source` condition too, to TypeScript that Node
    // cannot load: the AI SDK's packages go through Vite, which transforms it.
    server: { deps: { inline: [/node_modules\/(ai|@ai-sdk\/[^/]+|eventsource-parser)\//] } },
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
