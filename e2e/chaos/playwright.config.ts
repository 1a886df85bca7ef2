import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../fixtures/chromium.ts';

/**
 * The chaos run (e2e/chaos/chaos.spec.ts): minutes long, so it is kept out of `playwright test`'s default
 * run (playwright.config.ts ignores this folder). Run it with `npm run test:faults`; `npm test` runs it
 * after the unit and e2e stages. `CHAOS_SEED=<n>` replays a run.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  globalSetup: '../global-setup.ts',
  outputDir: '../../test-results/chaos',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: true,
  // The whole run, setup to the last check, must fit in ~8 minutes on a 2-core machine.
  timeout: 9 * 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] },
    serviceWorkers: 'allow',
    trace: 'off',
    screenshot: 'off',
  },
});
