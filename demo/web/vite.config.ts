import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The page imports the library by name; the `source` condition serves its TypeScript sources.
export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ['source', 'browser', 'import', 'module', 'default'] },
});
