/**
 * Two devices, two people (LV3, PL1): what Wes writes in a job report appears on Maria's open job detail by
 * itself — the server sends her device the records over the live channel and her device applies them,
 * without a pull request — with no reload.
 */
import type { Page } from '@playwright/test';
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
