/**
 * Offline writes (contract 1–4, OB1, PU3): everything done offline is saved on the device at once, survives
 * a reload with no network, and reaches the server exactly once when the connection comes back.
 */
import { DEMO } from './fixtures/demo.ts';
import { ServerDb } from './fixtures/server-db.ts';
import { expect, test } from './fixtures/test.ts';
import { JobPage } from './pages/job-page.ts';
import { ShellPage } from './pages/shell-page.ts';
import { ShiftPage } from './pages/shift-page.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { TodayPage } from './pages/today-page.ts';

// Each test starts from the freshly seeded demo organisation: these tests change jobs and punches.
test.use({ freshServer: true });

const NOTES = 'Pressure was low; topped up to 1.5 bar. Flue clear.';

test('offline: clock in, fill a job report and start the job; after a reload and reconnecting, the server has each change once', async ({
  page,
  context,
  app,
}) => {
  const signIn = new SignInPage(page);
  const shell = new ShellPage(page);
  const today = new TodayPage(page);
  const job = new JobPage(page);
  const shift = new ShiftPage(page);

  await signIn.goto();
  await signIn.signIn(DEMO.wes.email, DEMO.wes.password);
  await shell.expectSignedInAs(/Wes/);
  await today.expectJobs(2);
  await expect(today.tomorrowJobs).toHaveCount(1);
  await shell.sync.expectSynced();
  await shell.waitForServiceWorkerControl();
  const title = await today.firstJobTitle();

  await context.setOffline(true);
  await expect(shell.sync.network).toHaveText('Offline');

  // A punch: no location permission here, and no network — flagged, never blocked.
  await shell.navLink('Shift').click();
  await expect(shift.state).toHaveText('Off shift');
  await shift.punch('Clock in', 'Clocked in');
  await expect(shift.state).toContainText('On shift');
  const punch = shift.punches.filter({ hasText: 'Clock in' });
  await expect(punch).toHaveCount(1);
  await expect(punch).toContainText('No location');
  await expect(punch).toContainText('Offline');

  // The job report and the job's status.
  await shell.navLink('Today').click();
  await today.openJob(title);
  const jobUrl = page.url();
  await job.typeNotes(NOTES);
  await job.addChecklist('Check the flue');
  await job.addMeasurementRow('Pressure', '1.5', 'bar');
  await job.start();

  await expect(shell.sync.headline).toHaveText('Saved on this device');
  await expect(shell.sync.waiting).toHaveText(/^\d+ changes? waiting$/);
  expect(await shell.sync.bar.getAttribute('data-waiting')).not.toBe('0');

  // Reload with no network: the app opens from the device and everything is still there.
  await page.reload();
  await expect(job.heading(title)).toBeVisible();
  expect(page.url()).toBe(jobUrl);
  await expect(job.notes).toHaveValue(NOTES);
  await expect(job.checklist.getByRole('checkbox', { name: 'Check the flue' })).toBeVisible();
  await expect(job.measurement('Pressure')).toContainText('1.5 bar');
  await expect(job.status).toHaveText('In progress');
  await expect(shell.sync.headline).toHaveText('Saved on this device');
  await expect(shell.sync.network).toHaveText('Offline');
  await shell.navLink('Shift').click();
  await expect(shift.punches.filter({ hasText: 'Clock in' })).toHaveCount(1);

  // Back online: everything is acknowledged.
  await context.setOffline(false);
  await shell.sync.expectSynced();
  await expect(shell.sync.network).toHaveText('Online');

  const db = new ServerDb(app);
  try {
    const wesId = db.userId(DEMO.wes.email);
    const log = db.changeLog();
    expect(db.duplicateChangeIds()).toEqual([]);
    expect(new Set(log.map((r) => r.change_id)).size).toBe(log.length);

    const jobId = decodeURIComponent(new URL(jobUrl).pathname.split('/').pop() ?? '');
    const byEntity = (entity: string, id?: string) => log.filter((r) => r.entity === entity && (id === undefined || r.entity_id === id));
    const changeFields = (r: { change: string }) => (JSON.parse(r.change) as { fields: Record<string, unknown> }).fields;

    // The punch: once, Wes's, flagged offline and without location.
    const punches = byEntity('punch').filter((r) => changeFields(r).userId === wesId);
    expect(punches).toHaveLength(1);
    expect(changeFields(punches[0]!)).toMatchObject({ kind: 'clock_in', location: null });
    expect(changeFields(punches[0]!).flags).toEqual(expect.arrayContaining(['offline', 'no_location']));

    // The report: what was typed, the checklist item and the measurement.
    expect(byEntity('report', jobId).length).toBeGreaterThan(0);
    const report = db.fields('reports', jobId);
    expect(report?.notes).toBe(NOTES);
    const values = Object.entries(report ?? {});
    expect(values.filter(([k]) => k.startsWith('checklist.')).map(([, v]) => v)).toEqual([{ label: 'Check the flue', done: false }]);
    expect(values.filter(([k]) => k.startsWith('measurements.')).map(([, v]) => v)).toEqual([{ label: 'Pressure', value: 1.5, unit: 'bar' }]);

    // The status change: once.
    const statusChanges = byEntity('job', jobId).filter((r) => changeFields(r).status === 'in_progress');
    expect(statusChanges).toHaveLength(1);
    expect(db.fields('jobs', jobId)?.status).toBe('in_progress');
  } finally {
    db.close();
  }
});
