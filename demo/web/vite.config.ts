import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The page imports the library by name; the `agent-gateway-client:source` condition serves its TypeScript sources.
export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ['agent-gateway-client:source', 'browser', 'import', 'module', 'default'] },
});
