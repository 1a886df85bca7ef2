import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './e2e/fixtures/chromium.ts';

/**
 * End-to-end specs against the real server (e2e/fixtures/server.ts) and the built app (dist/).
 * Run with `npm run test:e2e`; the chaos run is separate (`npm run test:faults`). Chromium comes from CHROME_PATH or /usr/bin/chromium — never downloaded.
 */
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  // The chaos run takes minutes: it has its own config (e2e/chaos/playwright.config.ts, `npm run test:faults`).
  testIgnore: '**/e2e/chaos/**',
  globalSetup: './e2e/global-setup.ts',
  outputDir: 'test-results',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: true,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] },
    serviceWorkers: 'allow',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
