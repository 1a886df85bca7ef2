/**
 * Runs once before the e2e specs: checks that Chromium is there (never downloads one) and that the app is
 * built. `npm run test:e2e` builds first; a bare `npx playwright test` builds here only if dist/ is missing.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_PATH, HOW_TO_GET_CHROMIUM } from './fixtures/chromium.ts';
import { REPO_ROOT } from './fixtures/server.ts';

export default function globalSetup(): void {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}: ${HOW_TO_GET_CHROMIUM} (or run: node scripts/ensure-chromium.mjs).`);
  }

  const built = ['index.html', 'sw.js', 'manifest.webmanifest'].every((file) => existsSync(join(REPO_ROOT, 'dist', file)));
  if (!built) {
    const vite = join(REPO_ROOT, 'node_modules/.bin/vite');
    const result = spawnSync(vite, ['build'], { cwd: REPO_ROOT, stdio: 'inherit' });
    if (result.status !== 0) throw new Error('vite build failed; the e2e specs need dist/.');
  }
  if (!existsSync(join(REPO_ROOT, 'server/main.ts'))) {
    throw new Error('server/main.ts is missing: the e2e specs start the real server.');
  }
}
