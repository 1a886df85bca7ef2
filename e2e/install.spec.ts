/** The app is an installable PWA: a controlling service worker, a linked manifest, no installability errors. */
import { expect, test } from './fixtures/test.ts';
import { ShellPage } from './pages/shell-page.ts';
import { SignInPage } from './pages/sign-in-page.ts';

test('the service worker controls the page after the first load, and after a reload', async ({ page }) => {
  const signIn = new SignInPage(page);
  const shell = new ShellPage(page);
  await signIn.goto();
  await shell.waitForServiceWorkerControl();

  const worker = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return { scope: registration.scope, script: registration.active?.scriptURL, state: registration.active?.state };
  });
  expect(worker.script).toMatch(/\/sw\.js$/);
  expect(worker.state).toBe('activated');
  expect(new URL(worker.scope).pathname).toBe('/');

  await page.reload();
  await expect(signIn.heading).toBeVisible();
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toMatch(/\/sw\.js$/);
});

// A persistent profile: Chromium refuses to install from an incognito-like context ("in-incognito").
test('Chromium reports no installability errors and a clean manifest', async ({ persistentContext: context }) => {
  const page = context.pages()[0] ?? (await context.newPage());
  const shell = new ShellPage(page);
  await new SignInPage(page).goto();
  await shell.waitForServiceWorkerControl();

  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  expect(installabilityErrors).toEqual([]);

  const manifest = await cdp.send('Page.getAppManifest');
  expect(manifest.url).toMatch(/\/manifest\.webmanifest$/);
  expect(manifest.errors).toEqual([]);
  await cdp.detach();
});

test('the manifest is linked and names the app, its scope and its icons', async ({ page }) => {
  await new SignInPage(page).goto();

  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href).toBe('/manifest.webmanifest');
  await expect(page.locator('link[rel="apple-touch-icon"]')).toHaveAttribute('href', '/icons/apple-touch-icon.png');

  const response = await page.request.get(href ?? '');
  expect(response.ok()).toBe(true);
  expect(response.headers()['content-type']).toMatch(/manifest\+json|json/);
  const manifest = (await response.json()) as {
    name: string;
    short_name: string;
    start_url: string;
    scope: string;
    display: string;
    icons: Array<{ src: string; sizes: string; purpose?: string }>;
  };
  expect(manifest).toMatchObject({ name: 'Outpost', short_name: 'Outpost', start_url: '/', scope: '/', display: 'standalone' });
  expect(manifest.icons.map((icon) => `${icon.sizes} ${icon.purpose ?? 'any'}`).sort()).toEqual([
    '192x192 any',
    '512x512 any',
    '512x512 maskable',
  ]);
  for (const src of [...manifest.icons.map((icon) => icon.src), '/icons/apple-touch-icon.png']) {
    const icon = await page.request.get(src);
    expect(icon.status(), src).toBe(200);
    expect(icon.headers()['content-type'], src).toBe('image/png');
  }
});

test('SW1: navigations to /api/ go to the server, never to the cached app shell', async ({ page }) => {
  const shell = new ShellPage(page);
  await new SignInPage(page).goto();
  await shell.waitForServiceWorkerControl();

  const response = await page.goto('/api/health');
  expect(response?.headers()['content-type']).toMatch(/application\/json/);
  expect(response?.fromServiceWorker()).toBe(false);
  expect(JSON.parse(await page.locator('body').innerText())).toMatchObject({ ok: true });
});
