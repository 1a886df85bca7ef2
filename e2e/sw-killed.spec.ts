/**
 * The service worker killed mid-drain (OB4, PU3, SY1): the server applied the batch but the worker died
 * before it heard the answer, leaving the rows `sending`. The next drain — a new `sync` event — puts them
 * back to pending under the lock, resends them, and the server answers with the original receipts: each
 * change exists once on the server, nothing is left unsent on the device, and the app says synced.
 */
import type { Route } from '@playwright/test';
import { expect, test } from './fixtures/test.ts';
import { ServiceWorkerCdp, countApplied, openInspector, readOutbox, serverChanges } from './fixtures/sw.ts';
import { SwFieldApp } from './pages/sw-field-app.ts';

test.use({ freshServer: true });
test.describe.configure({ timeout: 90_000 });

test('OB4 / PU3: a service worker killed after the server applied its push resends on the next sync; each change lands once', async ({
  persistentContext: context,
  app: server,
}) => {
  const app = await SwFieldApp.open(context);
  await app.signInAsWes();

  await context.setOffline(true);
  await app.clockIn();
  await app.writeFirstJobNotes('Pump seal replaced.');
  await app.waitForBackgroundSyncRegistered();
  await expect.poll(async () => String((await readOutbox(app.page)).filter((r) => r.state === 'pending').length)).toBe(
    await app.sync.bar.getAttribute('data-waiting'),
  );
  const changeIds = (await readOutbox(app.page)).filter((row) => row.state === 'pending').map((row) => row.changeId);
  expect(changeIds.length).toBeGreaterThanOrEqual(2);

  // The service worker's push reaches the server (which applies it), but its answer never comes back.
  const held: Route[] = [];
  let forwarded = 0;
  let resent = 0;
  let letThrough = false;
  await context.route('**/api/sync/push', async (route) => {
    if (!route.request().serviceWorker()) return route.continue();
    if (letThrough) {
      resent++;
      return route.continue();
    }
    await route.fetch(); // the server applies the batch ...
    forwarded++;
    held.push(route); // ... and the worker waits for an answer that does not come
  });

  // Every app page closed, so the service worker drains; a blank page only holds a DevTools session.
  for (const page of context.pages()) await page.close();
  const devtoolsPage = await context.newPage();
  const cdp = await ServiceWorkerCdp.attach(context, devtoolsPage);

  await context.setOffline(false);
  await expect.poll(() => forwarded, { timeout: 30_000, message: 'the service worker pushed on its sync event' }).toBeGreaterThan(0);
  expect(countApplied(server, changeIds)).toBe(changeIds.length);

  // Mid-drain: the rows are `sending` on the device while the worker waits.
  const inspector = await openInspector(context, server.url);
  const inFlight = await readOutbox(inspector);
  expect(inFlight.filter((row) => changeIds.includes(row.changeId)).map((row) => row.state)).toEqual(changeIds.map(() => 'sending'));

  // Kill the worker in the middle of the drain.
  await cdp.stopAllWorkers();
  for (const route of held) await route.abort('connectionreset').catch(() => undefined); // already gone with the worker
  letThrough = true;

  // The next sync event starts a new worker and a new drain: `sending` rows go back to pending (OB4) and are resent.
  await cdp.dispatchOutboxSync(server.url);
  await expect
    .poll(async () => (await readOutbox(inspector)).filter((row) => row.state === 'pending' || row.state === 'sending').length, {
      timeout: 30_000,
      message: 'the new drain settles the rows the killed one left sending',
    })
    .toBe(0);
  expect(resent).toBeGreaterThan(0); // the new worker sent the same changes again ...
  expect(serverChanges(server, changeIds)).toEqual(changeIds.map((changeId) => ({ changeId, logged: 1, receipt: true }))); // ... applied once
  await cdp.detach();
  await inspector.close();

  // The person opens the app again: it says synced, and still nothing is applied twice.
  const reopened = new SwFieldApp(await context.newPage());
  await reopened.page.goto('/');
  await reopened.shell.expectSignedInAs(/Wes/);
  await reopened.sync.expectSynced();
  expect(serverChanges(server, changeIds).every((change) => change.logged === 1)).toBe(true);
});
