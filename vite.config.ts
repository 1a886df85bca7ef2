import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

/** Brand colours: the header and icons use THEME; the page behind the splash uses BACKGROUND. */
const THEME = '#0f4c5c';
const BACKGROUND = '#f6f7f5';

/** This build's identifier (src/sync/build.ts): when it was built, for the page and the service worker alike. */
const BUILD_ID = new Date().toISOString();

export default defineConfig({
  plugins: [
    svelte(),
    VitePWA({
      // The service worker source lives in sw/ (sw/sw.ts); Workbox only injects the precache list.
      strategies: 'injectManifest',
      srcDir: 'sw',
      filename: 'sw.ts',
      // src/main.ts registers the worker with workbox-window itself (production builds only).
      injectRegister: false,
      manifest: {
        id: '/',
        name: 'Outpost',
        short_name: 'Outpost',
        description: 'Record shifts, jobs and reports in the field — online or not. Everything syncs when a connection comes back.',
        lang: 'en',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        theme_color: THEME,
        background_color: BACKGROUND,
        categories: ['productivity', 'business'],
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      // public/icons/** already match globPatterns; don't list them twice.
      includeManifestIcons: false,
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,woff2}'],
      },
    }),
  ],
  // vite-plugin-pwa builds sw/sw.ts with the same `define`, so both report the same build (diagnostics, DG2).
  define: { __OUTPOST_BUILD__: JSON.stringify(BUILD_ID) },
  worker: { format: 'es' },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
  build: {
    target: 'es2022',
  },
});
