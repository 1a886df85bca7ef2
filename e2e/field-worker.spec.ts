/**
 * A field worker's day beyond the happy path: the forgotten clock-out (CF3 correction), a change the
 * server refuses shown with its reason and discarded (OB7, contract 4), and the sync status counts (SY5).
 */
import { ApiPerson } from './fixtures/api.ts';
import { DEMO } from './fixtures/demo.ts';
import { ServerDb } from './fixtures/server-db.ts';
import { expect, test } from './fixtures/test.ts';
import { AttentionPage } from './pages/attention-page.ts';
import { JobPage } from './pages/job-page.ts';
import { ShellPage } from './pages/shell-page.ts';
import { ShiftPage } from './pages/shift-page.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { TodayPage } from './pages/today-page.ts';
import type { Page } from '@playwright/test';

// Each test starts from the freshly seeded demo organisation: these tests change jobs and punches.
test.use({ freshServer: true });

async function signInAsWes(page: Page): Promise<ShellPage> {
  const signIn = new SignInPage(page);
  const shell = new ShellPage(page);
  await signIn.goto();
  await signIn.signIn(DEMO.wes.email, DEMO.wes.password);
  await shell.expectSignedInAs(/Wes/);
  await shell.sync.expectSynced();
  return shell;
}

test('a forgotten clock-out is entered with the real time and a required reason, and is flagged as a correction', async ({
  page,
  context,
  app,
}) => {
  await context.grantPermissions(['geolocation']);
  await context.setGeolocation({ latitude: 51.5072, longitude: -0.1276, accuracy: 12 });
  const shell = await signInAsWes(page);
  const shift = new ShiftPage(page);

  await shell.navLink('Shift').click();
  await shift.punch('Clock in', 'Clocked in');
  await expect(shift.state).toContainText('On shift since');
  const clockIn = shift.punches.filter({ hasText: 'Clock in' });
  await expect(clockIn).not.toContainText('No location');

  await shift.correction.getByRole('button', { name: 'Enter the real end time' }).click();
  await expect(shift.correction).toContainText('goes to your manager for approval');
  const when = shift.correction.getByLabel('When did you stop work?');
  const reason = shift.correction.getByLabel('Reason (required)');
  await expect(when).not.toHaveValue('');
  await shift.correction.getByRole('button', { name: 'Save clock-out' }).click();
  await expect(reason).toBeFocused();
  await expect(reason).toHaveAccessibleDescription('Say why the clock-out is late, for your manager.');
  await expect(shift.punches.filter({ hasText: 'Clock out' })).toHaveCount(0);

  await reason.fill('Left site at the usual time; phone battery was flat.');
  await shift.correction.getByRole('button', { name: 'Save clock-out' }).click();
  await expect(shift.punchStatus).toHaveText('Clock-out correction saved on this device. It goes to your manager for approval.');
  await expect(shift.state).toHaveText('Off shift');
  const clockOut = shift.punches.filter({ hasText: 'Clock out' });
  await expect(clockOut).toContainText('Correction');
  await expect(clockOut).toContainText('Reason: Left site at the usual time; phone battery was flat.');

  await shell.sync.expectSynced();
  const db = new ServerDb(app);
  try {
    const punches = db.punches(db.userId(DEMO.wes.email));
    expect(punches.map((p) => p.kind)).toEqual(['clock_in', 'clock_out']);
    expect(punches[0]?.location).toMatchObject({ lat: 51.5072, lng: -0.1276, accuracyM: 12 });
    expect(punches[1]).toMatchObject({ correctionReason: 'Left site at the usual time; phone battery was flat.' });
    expect(punches[1]?.flags).toContain('correction');
  } finally {
    db.close();
  }
});

test('UI3 / OB7: a change the server refuses shows in Needs attention with its reason, and can be discarded', async ({ page, context, app }) => {
  const shell = await signInAsWes(page);
  const today = new TodayPage(page);
  const job = new JobPage(page);
  const attention = new AttentionPage(page);
  const title = await today.firstJobTitle();
  await today.openJob(title);
  const jobId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');

  // Wes goes offline and starts the job; meanwhile Maria gives the job to Ana.
  await context.setOffline(true);
  await job.start();
  await shell.sync.expectSavedWaiting(1);

  const maria = await ApiPerson.signIn(app.url, DEMO.maria.email, DEMO.maria.password);
  try {
    const db = new ServerDb(app);
    const anaId = db.userId(DEMO.ana.email);
    db.close();
    const record = (await maria.pullAll()).find((r) => r.entity === 'job' && r.entityId === jobId);
    expect(record).toBeDefined();
    const answer = await maria.update('job', jobId, record?.version ?? 0, { assigneeId: anaId });
    expect(answer.receipts[0]?.status).toBe('applied');
  } finally {
    await maria.dispose();
  }

  await context.setOffline(false);
  await shell.sync.expectAttention(1);
  await expect(shell.sync.waiting).toHaveText('Nothing waiting');
  // PL4: the job is Ana's now, so it left Wes's device; his refused change stays to be dealt with.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Job not found');

  await shell.sync.attentionLink.click();
  await expect(attention.heading).toBeVisible();
  const item = attention.item('no longer on this device');
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('Refused');
  await expect(item).toContainText('Set the status to “In progress”');
  await expect(item.getByTestId('attention-reason')).toHaveText('This job is not assigned to you, so you cannot change it.');

  await item.getByRole('button', { name: 'Discard…' }).click();
  await expect(item).toContainText('cannot be brought back');
  await item.getByRole('button', { name: 'Discard change' }).click();
  await expect(attention.items).toHaveCount(0);
  await expect(attention.empty).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'your change was discarded' })).toBeVisible();
  await expect(shell.sync.attentionLink).toBeHidden();
  await shell.sync.expectSynced();
});

test('UI2 / SY5: the sync status counts the changes waiting offline, and says Synced once they are acknowledged', async ({ page, context }) => {
  const shell = await signInAsWes(page);
  const shift = new ShiftPage(page);
  await expect(shell.sync.lastSync).toHaveText('Last sync: just now');
  await expect(shell.sync.network).toHaveText('Online');

  await context.setOffline(true);
  await expect(shell.sync.network).toHaveText('Offline');
  await shell.navLink('Shift').click();
  await shift.punch('Clock in', 'Clocked in');
  await shell.sync.expectSavedWaiting(1);
  await shift.punch('Start break', 'Break started');
  await shell.sync.expectSavedWaiting(2);
  await expect(shift.state).toHaveText(/^On break/);
  await shift.punch('End break', 'Break ended');
  await shell.sync.expectSavedWaiting(3);

  await context.setOffline(false);
  await shell.sync.expectSynced();
  await expect(shell.sync.lastSync).toHaveText('Last sync: just now');

  // "Sync now" works on demand and keeps the truth.
  await shell.sync.syncNow.click();
  await shell.sync.expectSynced();
});

test('VR2: when another tab opens a newer version of the local data, this tab stops and asks to reload', async ({ page, context }) => {
  const shell = await signInAsWes(page);
  await shell.navLink('Shift').click();
  await expect(page.getByRole('button', { name: 'Clock in' })).toBeVisible();

  // Another tab of a newer app version upgrades the database.
  const newer = await context.newPage();
  await newer.goto('/api/health');
  await newer.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const request = indexedDB.open('outpost', 1000);
        request.onsuccess = () => {
          request.result.close();
          resolve();
        };
        request.onerror = () => reject(request.error ?? new Error('open failed'));
      }),
  );

  const dialog = page.getByRole('dialog', { name: 'Outpost was updated in another tab' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Reload' })).toBeVisible();
  // It blocks: Escape does not dismiss it.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeVisible();
});
