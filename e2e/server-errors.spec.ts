/**
 * PU5 / PU7 / contract 2 and 4: a server that answers 500 — to the page and to the service worker — or a
 * captive portal that answers 200 with an HTML page never makes a change count as sent. The change stays in
 * the outbox, the app shows it waiting with the error, and once the server answers properly it is
 * acknowledged and applied exactly once. (A plain workbox-background-sync replay would have dropped it on the
 * first 500: FIELD-NOTES.)
 */
import type { Request } from '@playwright/test';
import { expect, test } from './fixtures/test.ts';
import { countApplied, readOutbox, serverChanges } from './fixtures/sw.ts';
import { SwFieldApp } from './pages/sw-field-app.ts';

test.use({ freshServer: true });

type Mode = 'server-error' | 'captive-portal' | 'working';

test('PU7 / PU5: pushes answered 500, then a captive portal page, keep the change queued and visible; then it is acknowledged once', async ({
  page,
  context,
  app: server,
}) => {
  const app = new SwFieldApp(page);
  await app.signInAsWes();

  let mode: Mode = 'server-error';
  const answered = { 'server-error': { page: 0, sw: 0 }, 'captive-portal': { page: 0, sw: 0 }, working: { page: 0, sw: 0 } };
  const from = (request: Request): 'page' | 'sw' => (request.serviceWorker() ? 'sw' : 'page');
  // Context-wide, so the service worker's pushes are answered the same way as the page's.
  await context.route('**/api/sync/push', async (route) => {
    const current = mode;
    answered[current][from(route.request())]++;
    if (current === 'server-error') {
      return route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: 'internal', message: 'The server had a problem.' }) });
    }
    if (current === 'captive-portal') {
      return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Wi-Fi</title><h1>Accept the terms to get online</h1>' });
    }
    return route.continue();
  });

  // A change while the server fails: the page's drain and the service worker's `sync` event both get 500.
  await app.clockIn();
  await expect.poll(() => answered['server-error'].page, { message: 'the page pushed and got 500' }).toBeGreaterThan(0);
  await expect.poll(() => answered['server-error'].sw, { timeout: 20_000, message: 'the service worker pushed and got 500' }).toBeGreaterThan(0);
  await app.sync.expectSavedWaiting(1);
  await expect(app.sync.problem).toContainText('Sync failed: The server had a problem.');

  // One row, waiting with the server's reason. The engine retries on its own (SY4, jittered backoff), so
  // the row is `sending` while a retry is on its way: wait for it to be back in `pending`.
  await expect
    .poll(async () => (await readOutbox(page)).map((r) => [r.state, r.lastError]))
    .toEqual([['pending', 'The server had a problem.']]);
  const [row] = await readOutbox(page);
  const changeIds = [row!.changeId];
  expect(countApplied(server, changeIds)).toBe(0);

  // A captive portal: 200 with an HTML page is not an acknowledgement (PU5).
  mode = 'captive-portal';
  await app.sync.syncNow.click();
  await expect.poll(() => answered['captive-portal'].page).toBeGreaterThan(0);
  await expect(app.sync.problem).toContainText('not a sync answer');
  await app.sync.expectSavedWaiting(1);
  await expect.poll(async () => (await readOutbox(page)).map((r) => [r.state, r.lastError?.includes('captive portal')])).toEqual([['pending', true]]);
  expect(countApplied(server, changeIds)).toBe(0);

  // The server works again: "Sync now" sends it, and it is applied exactly once.
  mode = 'working';
  await app.sync.syncNow.click();
  await app.sync.expectSynced();
  await expect(app.sync.problem).toBeHidden();
  expect(answered.working.page + answered.working.sw).toBeGreaterThan(0);
  expect(serverChanges(server, changeIds)).toEqual([{ changeId: changeIds[0], logged: 1, receipt: true }]);
  await expect.poll(async () => (await readOutbox(page)).filter((r) => r.state === 'pending' || r.state === 'sending').length).toBe(0);
});
