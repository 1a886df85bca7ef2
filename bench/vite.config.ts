/**
 * Builds the benchmark page (bench/page/) with the REAL src/data, src/sync and src/worker code, the reconcile
 * worker (Comlink) and a bench service worker that hosts a plain workbox-background-sync Queue (the naive
 * baseline of scenario 3). Output: node_modules/.cache/outpost-bench/page (outside the linted tree), served by the real server (bench/server.ts).
 * Run by bench/run.ts; `npx vite build -c bench/vite.config.ts` builds it by hand.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('./page'),
  base: '/',
  logLevel: 'warn',
  publicDir: false,
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir: here('../node_modules/.cache/outpost-bench/page'),
    emptyOutDir: true,
    sourcemap: true,
    minify: true,
    rolldownOptions: {
      input: { index: here('./page/index.html'), 'queue-sw': here('./page/queue-sw.ts') },
      output: { entryFileNames: (chunk) => (chunk.name === 'queue-sw' ? 'queue-sw.js' : 'assets/[name]-[hash].js') },
    },
  },
});
