/**
 * Two devices, two people (LV3, PL1): what Wes writes in a job report appears on Maria's open job detail by
 * itself — the server sends her device the records over the live channel and her device applies them,
 * without a pull request — with no reload. And a change committed after her device's last pull but before
 * its live channel opened still reaches her: the stream's hello says where it starts, and her device pulls.
 */
import type { Page } from '@playwright/test';
import { ApiPerson } from './fixtures/api.ts';
import { DEMO } from './fixtures/demo.ts';
import { expect, test } from './fixtures/test.ts';
import { JobPage } from './pages/job-page.ts';
import { ShellPage } from './pages/shell-page.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { TodayPage } from './pages/today-page.ts';

// Each test starts from the freshly seeded demo organisation: these tests change jobs and punches.
test.use({ freshServer: true });

async function signedIn(page: Page, who: { email: string; password: string }, name: RegExp): Promise<ShellPage> {
  const signIn = new SignInPage(page);
  const shell = new ShellPage(page);
  await signIn.goto();
  await signIn.signIn(who.email, who.password);
  await shell.expectSignedInAs(name);
  await shell.sync.expectSynced();
  return shell;
}

test('Maria sees the notes Wes types appear live on the job she has open', async ({ page: wesPage, browser, baseURL }) => {
  const mariaContext = await browser.newContext({ baseURL: baseURL ?? '' });
  try {
    const mariaPage = await mariaContext.newPage();

    await signedIn(wesPage, DEMO.wes, /Wes/);
    const wesToday = new TodayPage(wesPage);
    const title = await wesToday.firstJobTitle();
    await wesToday.openJob(title);

    // Maria (manager) sees the whole team's jobs, Wes's among them, and opens the same one.
    await signedIn(mariaPage, DEMO.maria, /Maria/);
    const mariaToday = new TodayPage(mariaPage);
    await mariaToday.expectJobs(3);
    await expect(mariaToday.job(title)).toContainText('Assigned to a team member');
    await mariaToday.openJob(title);
    const mariaJob = new JobPage(mariaPage);
    await expect(mariaJob.notes).toHaveValue('');
    const reloads: string[] = [];
    mariaPage.on('framenavigated', (frame) => {
      if (frame === mariaPage.mainFrame()) reloads.push(frame.url());
    });
    const mariaPulls: string[] = [];
    mariaPage.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/sync/pull')) mariaPulls.push(request.url());
    });

    const notes = 'Customer asked to check the radiator valves too.';
    const wesJob = new JobPage(wesPage);
    await wesJob.typeNotes(notes);
    await new ShellPage(wesPage).sync.expectSynced();

    await expect(mariaJob.notes).toHaveValue(notes, { timeout: 20_000 });
    await expect(mariaJob.heading(title)).toBeVisible();
    expect(reloads).toEqual([]);
    // LV3: the records came with the live message; her device did not have to ask for them.
    expect(mariaPulls).toEqual([]);

    // And back: Maria's checklist item reaches Wes's open page the same way.
    await mariaJob.addChecklist('Check radiator valves');
    await expect(wesJob.checklist.getByRole('checkbox', { name: 'Check radiator valves' })).toBeVisible({ timeout: 20_000 });
  } finally {
    await mariaContext.close();
  }
});

test('LV3: a change committed while Maria\'s live channel was still connecting reaches her open job all the same', async ({ browser, baseURL, app: server }) => {
  const mariaContext = await browser.newContext({ baseURL: baseURL ?? '' });
  const wes = await ApiPerson.signIn(server.url, DEMO.wes.email, DEMO.wes.password);
  try {
    // Maria's live channel waits (a slow network) until the gate opens; her first sync goes through.
    let openGate = (): void => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const held: string[] = [];
    await mariaContext.route('**/api/sync/live**', async (route) => {
      held.push(route.request().url());
      await gate;
      await route.continue();
    });
    const mariaPage = await mariaContext.newPage();
    await signedIn(mariaPage, DEMO.maria, /Maria/);
    await expect.poll(() => held.length).toBeGreaterThan(0);

    const job = (await wes.pullAll()).find((r) => r.entity === 'job' && r.fields.status === 'scheduled');
    if (!job) throw new Error('the demo gives Wes a scheduled job');
    const title = String(job.fields.title);
    const mariaToday = new TodayPage(mariaPage);
    await mariaToday.openJob(title);
    const mariaJob = new JobPage(mariaPage);
    await expect(mariaJob.status).toHaveText('Scheduled');

    // Wes starts the job from another device while Maria's channel is not open yet: no stream can carry it.
    await wes.update('job', job.entityId, job.version, { status: 'in_progress' });
    openGate();

    // The stream opens after that commit; its hello's cursor is past her device's, so her device pulls.
    await expect(mariaJob.status).toHaveText('In progress', { timeout: 15_000 });
  } finally {
    await wes.dispose();
    await mariaContext.close();
  }
});
