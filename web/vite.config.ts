import { defineConfig } from 'vite';

// The agent app. `npm run build:web` writes web/dist, which the Lifeline server serves at `/`.
// `npm run dev:web` serves it with hot reload and sends /api to a Lifeline on :3000.
export default defineConfig({
  root: import.meta.dirname,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No source maps in the build the server publishes (they would hand out the app's sources).
    sourcemap: false,
    chunkSizeWarningLimit: 800,
    rolldownOptions: {
      // Mantine marks its modules "use client" for React Server Components; a client-only bundle can ignore it.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
