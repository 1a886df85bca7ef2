/**
 * SY3 / contract 7: the service worker's `sync` event drains the outbox when no page is open (Chromium's
 * Background Sync), through the same engine and Web Lock as the page (SY1, SY7). Workbox's Queue only
 * schedules; the changes come from the Dexie outbox (contract 2). Persistent contexts, so the service worker
 * outlives every closed page; each test has its own freshly seeded server.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/test.ts';
import { ServiceWorkerCdp, countApplied, openInspector, readOutbox, serverChanges } from './fixtures/sw.ts';
import { SwFieldApp } from './pages/sw-field-app.ts';

test.use({ freshServer: true });
test.describe.configure({ timeout: 90_000 });

/** The change ids waiting in the device's outbox, once the status bar shows the same number waiting. */
async function waitingChangeIds(app: SwFieldApp): Promise<string[]> {
  const pending = async (): Promise<string[]> => (await readOutbox(app.page)).filter((row) => row.state === 'pending').map((row) => row.changeId);
  await expect.poll(async () => String((await pending()).length)).toBe(await app.sync.bar.getAttribute('data-waiting'));
  return pending();
}

async function unsettledRows(page: Page): Promise<number> {
  return (await readOutbox(page)).filter((row) => row.state === 'pending' || row.state === 'sending').length;
}

test('SY3 / SW2: changes made offline reach the server exactly once after every page is closed and the network returns', async ({
  persistentContext: context,
  app: server,
}) => {
  const app = await SwFieldApp.open(context);
  await app.signInAsWes();

  await context.setOffline(true);
  await expect(app.sync.network).toHaveText('Offline');
  await app.clockIn();
  await app.writeFirstJobNotes('Replaced the valve; no leaks.');
  await expect(app.sync.headline).toHaveText('Saved on this device');
  await app.waitForBackgroundSyncRegistered();
  const changeIds = await waitingChangeIds(app);
  expect(changeIds.length).toBeGreaterThanOrEqual(2);

  // The person closes the app, still offline: nothing of the app runs in a page any more.
  for (const page of context.pages()) await page.close();
  expect(context.pages()).toHaveLength(0);
  expect(countApplied(server, changeIds)).toBe(0);

  // The connection comes back: the browser fires the outbox's `sync` event in the service worker.
  await context.setOffline(false);
  await expect
    .poll(() => countApplied(server, changeIds), { timeout: 30_000, message: 'the service worker sends the queued changes' })
    .toBe(changeIds.length);
  expect(context.pages()).toHaveLength(0); // no page was opened to do it
  expect(serverChanges(server, changeIds)).toEqual(changeIds.map((changeId) => ({ changeId, logged: 1, receipt: true })));

  // The service worker settled the outbox too: nothing pending or sending is left on the device.
  const inspector = await openInspector(context, server.url);
  await expect.poll(() => unsettledRows(inspector)).toBe(0);
  expect(serverChanges(server, changeIds).every((change) => change.logged === 1)).toBe(true);
});

test('SY3 / SY4 / SW3: a background sync that fails keeps the change, and the next sync event (DevTools dispatchSyncEvent) delivers it once', async ({
  persistentContext: context,
  app: server,
}) => {
  const app = await SwFieldApp.open(context);
  await app.signInAsWes();

  await context.setOffline(true);
  await app.clockIn();
  await app.waitForBackgroundSyncRegistered();
  const changeIds = await waitingChangeIds(app);
  expect(changeIds).toHaveLength(1);
  for (const page of context.pages()) await page.close();

  // The server cannot be reached from the service worker: its pushes fail at the network.
  let failedPushes = 0;
  let passedPushes = 0;
  let reachable = false;
  await context.route('**/api/sync/push', async (route) => {
    if (!route.request().serviceWorker()) return route.continue();
    if (!reachable) {
      failedPushes++;
      return route.abort('internetdisconnected');
    }
    passedPushes++;
    return route.continue();
  });

  // A page of no origin, only to hold a DevTools session: the app has no page open.
  const devtoolsPage = await context.newPage();
  const cdp = await ServiceWorkerCdp.attach(context, devtoolsPage);

  await context.setOffline(false);
  await expect.poll(() => failedPushes, { timeout: 30_000, message: 'the automatic sync event tried and failed' }).toBeGreaterThan(0);
  // Stop the worker: nothing of the failed drain survives; only a new `sync` event can start one now
  // (Chromium's own retry of the failed event comes minutes later).
  await cdp.stopAllWorkers();
  expect(countApplied(server, changeIds)).toBe(0);

  reachable = true;
  await cdp.dispatchOutboxSync(server.url);
  await expect.poll(() => countApplied(server, changeIds), { timeout: 30_000, message: 'the dispatched sync event drains' }).toBe(1);
  expect(passedPushes).toBeGreaterThan(0);
  expect(serverChanges(server, changeIds)).toEqual([{ changeId: changeIds[0], logged: 1, receipt: true }]);
  expect(context.pages().map((page) => page.url())).toEqual(['about:blank']);

  const inspector = await openInspector(context, server.url);
  await expect.poll(() => unsettledRows(inspector)).toBe(0);
  await cdp.detach();
});
