/**
 * The diagnostics page (DG1–DG4, OB8, contract 4): in real Chromium against the real server it shows what
 * waits and why in each state — offline with waiting rows, the service worker's own probe failing while the
 * context is offline, a refused row with the server's reason, sync attempts of the page AND the service worker
 * kept across a reload — and its export / import carries unsent changes to another device, where importing
 * the same file twice still puts each change on the server exactly once (PU3).
 */
import { readFile } from 'node:fs/promises';
import { ApiPerson } from './fixtures/api.ts';
import { DEMO } from './fixtures/demo.ts';
import { ServerDb } from './fixtures/server-db.ts';
import { serverChanges } from './fixtures/sw.ts';
import { expect, test } from './fixtures/test.ts';
import { AttentionPage } from './pages/attention-page.ts';
import { DiagnosticsPage } from './pages/diagnostics-page.ts';
import { ShellPage } from './pages/shell-page.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { SwFieldApp } from './pages/sw-field-app.ts';

test.use({ freshServer: true });
test.describe.configure({ timeout: 90_000 });

interface ExportFileShape {
  format: string;
  deviceId: string;
  changes: Array<{ change: { id: string; entity: string }; state: string }>;
}

test('DG1–DG4: offline with waiting rows, the worker cannot reach the server, a refused row with its reason, sync attempts of page and worker', async ({
  page,
  context,
  app: server,
}) => {
  const app = new SwFieldApp(page);
  const diagnostics = new DiagnosticsPage(page);
  await app.signInAsWes();

  // Online and synced: nothing waits, both the page and the worker reach the server.
  await diagnostics.openFromStatusBar();
  await expect(diagnostics.finding('ok')).toContainText('Everything is synced');
  await expect(diagnostics.workerProbe).toContainText('Reaches the server (HTTP 200)');
  await expect(diagnostics.pageProbe).toContainText('Reaches the server (HTTP 200)');
  await expect(diagnostics.workerState).toContainText('Controls this page · activated');
  await expect(diagnostics.versions).toContainText(/This page: built .+Service worker: built /s);
  await expect(diagnostics.versions).not.toContainText('different from this page');
  await expect(diagnostics.outboxEmpty).toBeVisible();
  await expect(diagnostics.attempts.filter({ hasText: 'This app · App started' }).first()).toContainText('Synced');
  await expect(diagnostics.person).toContainText('Wes');
  await expect(diagnostics.deviceId).toHaveText(/^[0-9a-f-]{36}$/);
  await expect(diagnostics.storage).toContainText('used of about');

  // Offline: Wes starts his first job and writes its report.
  await context.setOffline(true);
  await app.shell.navLink('Today').click();
  const title = await app.today.firstJobTitle();
  await app.today.openJob(title);
  const jobId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
  await app.job.start();
  await app.job.typeNotes('Valve replaced.');

  await diagnostics.openFromStatusBar();
  await expect(diagnostics.finding('offline')).toContainText('This device is offline');
  await expect(diagnostics.finding('offline')).toContainText('2 changes wait on this device');
  await expect(diagnostics.rowsIn('pending')).toHaveCount(2);
  await expect(diagnostics.rowsIn('pending').filter({ hasText: 'Set the status to “In progress”' })).toContainText(`Job “${title}”`);
  await expect(diagnostics.rowsIn('pending').filter({ hasText: 'Change the notes to “Valve replaced.”' })).toContainText(`Report of job “${title}”`);
  // UI4 / OB5: offline, the writes woke no drain, so the keystrokes folded into one row never sent.
  await expect(diagnostics.rowsIn('pending').first()).toContainText('not sent yet');
  // The service worker's own fetch fails: Playwright's offline applies to it too (FIELD-NOTES).
  await expect(diagnostics.workerProbe).toContainText('Cannot reach the server');
  await expect(diagnostics.pageProbe).toContainText('Cannot reach the server');

  // "Sync now" while offline: the outcome is announced and the attempt recorded.
  await diagnostics.syncNow.click();
  await expect(diagnostics.outcome).toContainText('Sync did not finish (offline)');
  await expect(diagnostics.attempts.first()).toContainText('Server not reached');
  await expect(diagnostics.attempts.first()).toContainText('This app · Sync now');
  // The row counts the attempt. The engine keeps retrying on its own with a jittered backoff (SY4: the first
  // retry within a second), so the count may already be past one when the page is read.
  await expect(diagnostics.rowsIn('pending').first()).toContainText(/· [1-9]\d* attempts?/);
  await expect(diagnostics.rowsIn('pending').first().getByTestId('outbox-error')).toContainText('could not be reached');

  // Meanwhile the manager gives the job to Ana: Wes's status change will be refused.
  const maria = await ApiPerson.signIn(server.url, DEMO.maria.email, DEMO.maria.password);
  try {
    const db = new ServerDb(server);
    const anaId = db.userId(DEMO.ana.email);
    db.close();
    const record = (await maria.pullAll()).find((r) => r.entity === 'job' && r.entityId === jobId);
    await maria.update('job', jobId, record?.version ?? 0, { assigneeId: anaId });
  } finally {
    await maria.dispose();
  }

  // Back online: the worker reaches the server again; the refused row shows the server's reason.
  await context.setOffline(false);
  // The page probes again on `online` and every few seconds; a person may also press "Check again".
  await expect(async () => {
    await diagnostics.checkAgain.click();
    await expect(diagnostics.workerProbe).toContainText('Reaches the server', { timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  await expect(diagnostics.finding('refused')).toContainText('refused by the server', { timeout: 20_000 });
  // Both the status change and the report were Wes's writes to a job that is no longer his.
  await expect(diagnostics.finding('refused')).toContainText('2 changes refused by the server');
  await expect(diagnostics.rowsIn('refused')).toHaveCount(2);
  const refused = diagnostics.rowsIn('refused').filter({ hasText: 'Set the status to “In progress”' });
  await expect(refused).toContainText('Job'); // (its title may be gone: the job left Wes's scope, PL2)
  await expect(refused.getByTestId('outbox-error')).toContainText('This job is not assigned to you, so you cannot change it. (forbidden)');
  await expect(diagnostics.rowsIn('refused').filter({ hasText: 'Report of job' }).getByTestId('outbox-error')).toContainText(
    'You can write the report only of a job assigned to you.',
  );
  await expect(diagnostics.attempts.filter({ hasText: 'Synced' }).first()).toBeVisible();

  // The service worker's background drain (its `sync` event fired when the network came back) is listed too.
  await expect(diagnostics.attempts.filter({ hasText: 'Service worker · Background sync' }).first()).toBeVisible({ timeout: 30_000 });

  // Attempts are kept in IndexedDB: they are still there after a reload.
  const before = await diagnostics.attempts.count();
  await page.reload();
  await expect(diagnostics.heading).toBeVisible();
  await expect.poll(() => diagnostics.attempts.count()).toBeGreaterThanOrEqual(before);
  await expect(diagnostics.attempts.filter({ hasText: 'Server not reached' }).first()).toBeVisible();

  // The refused row links to where it is fixed.
  await refused.getByRole('link', { name: 'Fix it in Needs attention' }).click();
  const attention = new AttentionPage(page);
  await expect(attention.heading).toBeVisible();
  await expect(attention.items).toHaveCount(2);
});

test('OB8 / PU3: export unsent changes on one device, import the file twice on another device of the same person: the server has each change once', async ({
  page,
  context,
  browser,
  app: server,
}, testInfo) => {
  const app = new SwFieldApp(page);
  const diagnostics = new DiagnosticsPage(page);
  await app.signInAsWes();

  // Device 1, offline: clock in and write a report. Then export what waits.
  await context.setOffline(true);
  await app.clockIn();
  await app.writeFirstJobNotes('Left a note for the next visit.');
  await diagnostics.openFromStatusBar();
  await expect(diagnostics.rowsIn('pending')).toHaveCount(2);
  const [download] = await Promise.all([page.waitForEvent('download'), diagnostics.exportButton.click()]);
  expect(download.suggestedFilename()).toMatch(/^outpost-unsent-changes-\d{4}-\d{2}-\d{2}\.json$/);
  await expect(diagnostics.outcome).toContainText(`Exported 2 unsent changes to ${download.suggestedFilename()}`);
  const file = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(file);
  const exported = JSON.parse(await readFile(file, 'utf8')) as ExportFileShape;
  expect(exported.format).toBe('outpost-unsent-changes');
  const changeIds = exported.changes.map((c) => c.change.id);
  expect(exported.changes.map((c) => c.change.entity).sort()).toEqual(['punch', 'report']);
  expect(serverChanges(server, changeIds).every((c) => c.logged === 0)).toBe(true);

  // Device 2: the same person on a new device (its own browser context: its own IndexedDB and device id).
  const other = await browser.newContext({ baseURL: server.url });
  try {
    const page2 = await other.newPage();
    const signIn = new SignInPage(page2);
    const shell2 = new ShellPage(page2);
    const diagnostics2 = new DiagnosticsPage(page2);
    await signIn.goto();
    await signIn.signIn(DEMO.wes.email, DEMO.wes.password);
    await shell2.expectSignedInAs(/Wes/);
    await shell2.sync.expectSynced();
    await diagnostics2.openFromStatusBar();
    await expect(diagnostics2.deviceId).not.toHaveText(exported.deviceId);

    // A damaged file is refused whole, with the reason; nothing is imported.
    await diagnostics2.importInput.setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"hello":"world"}') });
    await expect(diagnostics2.outcome).toContainText('not an Outpost export of unsent changes');
    await expect(diagnostics2.outboxEmpty).toBeVisible();

    // Offline, so both imports land before anything is sent: the second adds nothing (OB8).
    await other.setOffline(true);
    await diagnostics2.importInput.setInputFiles(file);
    await expect(diagnostics2.outcome).toHaveText('2 added, 0 already here.');
    await expect(diagnostics2.rowsIn('pending')).toHaveCount(2);
    await diagnostics2.importInput.setInputFiles(file);
    await expect(diagnostics2.outcome).toHaveText('0 added, 2 already here.');
    await expect(diagnostics2.rowsIn('pending')).toHaveCount(2);

    // Device 2 back online: it sends them; the server applies each once.
    await other.setOffline(false);
    await shell2.sync.expectSynced();
    await expect.poll(() => serverChanges(server, changeIds).map((c) => c.logged)).toEqual([1, 1]);

    // Imported again after they were sent (the rows may be pruned by now): the server still has each once.
    await diagnostics2.importInput.setInputFiles(file);
    await expect(diagnostics2.outcome).toHaveText(/^\d added, \d already here\.$/);
    await shell2.sync.expectSynced();

    // Device 1 comes back online and sends its own copies: duplicates, acknowledged, applied once.
    await context.setOffline(false);
    await app.sync.expectSynced();
    expect(serverChanges(server, changeIds)).toEqual(changeIds.map((changeId) => ({ changeId, logged: 1, receipt: true })));
    const db = new ServerDb(server);
    try {
      expect(db.duplicateChangeIds()).toEqual([]);
    } finally {
      db.close();
    }
  } finally {
    await other.close();
  }
});
