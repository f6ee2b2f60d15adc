import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// In development the Vite server proxies the API and the WebSocket to a local orchestrator.
const orchestrator = process.env.ORCHESTRATOR_HTTP ?? 'http://localhost:8090';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: {
    proxy: {
      '/api': orchestrator,
      '/ws': { target: orchestrator, ws: true },
    },
  },
});
