import { defineConfig } from 'vitest/config';

// The packed tarball in temporary projects (test/package): no source condition, the package is
// installed from its tarball. Slow (npm installs and a Vite build), so it is not part of `npm test`.
export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
