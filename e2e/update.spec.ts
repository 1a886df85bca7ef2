/**
 * Contract 9 (FIELD-NOTES "Service worker updates"): a new service worker version is only offered. While a
 * change waits, the page does not reload by itself and the change stays in the outbox; the prompt says how
 * many changes wait and that they are kept. "Update now" (under the sync lock) lets the new worker take
 * over and reloads the page under it; the kept change then reaches the server exactly once.
 *
 * The server serves a temporary copy of dist/ so the test can ship a byte-different sw.js.
 */
import { expect, test } from './fixtures/test.ts';
import { ServiceWorkerCdp, countApplied, readOutbox, serverChanges, startServerWithDistCopy, type ServerWithDist } from './fixtures/sw.ts';
import { SwFieldApp } from './pages/sw-field-app.ts';

test.describe.configure({ timeout: 90_000 });

let server: ServerWithDist;

test.beforeEach(async () => {
  server = await startServerWithDistCopy();
});

test.afterEach(async () => {
  await server.stop();
});

test('SW5 / contract 9: a waiting update never reloads by itself; "Update now" reloads under the new worker and the kept change is sent once', async ({
  browser,
}) => {
  const context = await browser.newContext({ baseURL: server.url, serviceWorkers: 'allow' });
  const app = new SwFieldApp(await context.newPage());
  const cdp = await ServiceWorkerCdp.attach(context, app.page);
  await app.signInAsWes();
  const firstLoad = await app.page.evaluate(() => {
    (window as Window & { __outpostFirstLoad?: boolean }).__outpostFirstLoad = true;
    return performance.timeOrigin;
  });

  // A change waits: made offline; then the network is back for the app's files but the sync API stays
  // unreachable, so the change keeps waiting while the browser looks for a new version.
  await context.setOffline(true);
  await app.clockIn();
  await app.sync.expectSavedWaiting(1);
  await context.route('**/api/sync/**', (route) => route.abort('internetdisconnected'));
  await context.setOffline(false);
  // Going online starts drains (page and service worker); they fail at the network and put the row back.
  await expect(app.sync.network).toHaveText('Online');
  await expect.poll(async () => (await readOutbox(app.page)).map((row) => row.state)).toEqual(['pending']);
  const [queued] = await readOutbox(app.page);

  // A new version is deployed and found.
  await server.shipNewServiceWorker('outpost update test: version 2');
  await app.page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    await registration?.update();
  });
  await expect(app.updateBanner).toBeVisible({ timeout: 20_000 });
  await expect(app.updateBanner).toHaveAttribute('role', 'status');
  await expect(app.updateBanner).toContainText('A new version of Outpost is ready.');
  await expect(app.updateBanner).toContainText('1 change waits to be sent. It is kept on this device and sent after the update.');
  await expect(app.updateNowButton).toBeEnabled();

  // The new worker waits; nothing reloaded by itself, and the change is still queued.
  await expect
    .poll(() => app.page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting?.state ?? null))
    .toBe('installed');
  const [oldVersion, newVersion] = await cdp.versions(server.url);
  expect(oldVersion?.status).toBe('activated');
  expect(newVersion?.status).toBe('installed');
  expect(
    await app.page.evaluate(() => ({
      marker: (window as Window & { __outpostFirstLoad?: boolean }).__outpostFirstLoad === true,
      timeOrigin: performance.timeOrigin,
    })),
  ).toEqual({ marker: true, timeOrigin: firstLoad });
  expect((await readOutbox(app.page)).map((row) => [row.changeId, row.state])).toEqual([[queued!.changeId, 'pending']]);
  await app.sync.expectSavedWaiting(1);

  // The person clicks "Update now": the page reloads under the new worker.
  const reloaded = app.page.waitForEvent('load');
  await app.updateNowButton.click();
  await reloaded;
  await expect(app.shift.heading).toBeVisible(); // the same screen, reloaded
  await expect(app.shell.person).toContainText('Wes');
  const after = await app.page.evaluate(() => ({
    marker: (window as Window & { __outpostFirstLoad?: boolean }).__outpostFirstLoad === true,
    timeOrigin: performance.timeOrigin,
  }));
  expect(after.marker).toBe(false);
  expect(after.timeOrigin).not.toBe(firstLoad);
  // The old version is gone and the page runs under the new one. (Chromium may re-install byte-identical
  // copies on later navigations after a failed sync event, so "the new one" is any version since it.)
  const versions = await cdp.versions(server.url);
  expect(versions.find((v) => v.versionId === oldVersion?.versionId)?.status).toBe('redundant');
  const active = versions.filter((v) => v.status === 'activated' || v.status === 'activating');
  expect(active.length).toBeGreaterThan(0);
  expect(active.every((v) => Number(v.versionId) >= Number(newVersion?.versionId))).toBe(true);
  await expect(app.updateBanner).toBeHidden();

  // The kept change is still there, and reaches the server exactly once when the sync API answers again.
  expect((await readOutbox(app.page)).map((row) => row.changeId)).toEqual([queued!.changeId]);
  expect(countApplied(server, [queued!.changeId])).toBe(0);
  await context.unroute('**/api/sync/**');
  await app.sync.syncNow.click();
  await app.sync.expectSynced();
  expect(serverChanges(server, [queued!.changeId])).toEqual([{ changeId: queued!.changeId, logged: 1, receipt: true }]);

  await cdp.detach();
  await context.close();
});

test('SV2 / PU7 / SW5: a server that calls this version too old (426) makes the app look for the update itself and say the changes are kept', async ({
  browser,
}) => {
  const context = await browser.newContext({ baseURL: server.url, serviceWorkers: 'allow' });
  const app = new SwFieldApp(await context.newPage());
  await app.signInAsWes();

  // A newer version is on the server; this page has not looked for it.
  await server.shipNewServiceWorker('outpost update test: required version');
  let tooOld = 0;
  await context.route('**/api/sync/push', (route) => {
    tooOld++;
    return route.fulfill({
      status: 426,
      contentType: 'application/json',
      body: JSON.stringify({ error: 'client_too_old', message: 'This version of Outpost is too old to sync. Update it.' }),
    });
  });

  await app.clockIn();
  await expect.poll(() => tooOld).toBeGreaterThan(0);
  // The prompt is an alert (syncing has stopped until the update), and the new version was found without
  // anyone asking the browser for it.
  await expect(app.updateBanner).toHaveAttribute('role', 'alert');
  await expect(app.updateBanner).toContainText('Update Outpost to keep syncing; your changes are kept.');
  await expect(app.updateBanner).toContainText('1 change waits to be sent.');
  await expect(app.updateNowButton).toBeVisible({ timeout: 20_000 });
  await app.sync.expectSavedWaiting(1);
  expect((await readOutbox(app.page)).map((row) => row.state)).toEqual(['pending']);
  await context.close();
});
