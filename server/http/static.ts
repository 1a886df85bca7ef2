import { existsSync } from 'node:fs';
import { basename, join, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Files the browser must revalidate every time: the service worker and the app shell. */
const NO_CACHE = new Set(['sw.js', 'index.html', 'registerSW.js', 'manifest.webmanifest']);

/** Serve the built app. Returns whether `index.html` exists (for the single-page fallback). */
export async function registerStatic(app: FastifyInstance, root: string): Promise<boolean> {
  await app.register(fastifyStatic, {
    root,
    cacheControl: false,
    setHeaders(reply, path) {
      const name = basename(path);
      if (NO_CACHE.has(name)) reply.header('cache-control', 'no-cache');
      else if (path.includes(`${sep}assets${sep}`)) reply.header('cache-control', 'public, max-age=31536000, immutable');
      else reply.header('cache-control', 'no-cache');
    },
  });
  return existsSync(join(root, 'index.html'));
}
