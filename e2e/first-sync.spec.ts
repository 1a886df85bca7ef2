/**
 * A new device (PL5): Wes signs in on a phone that has never synced. His jobs of the week come first, in one
 * request, so today's list is on screen while the pull of everything else by cursor is still unanswered.
 */
import { DEMO } from './fixtures/demo.ts';
import { expect, test } from './fixtures/test.ts';
import { ShellPage } from './pages/shell-page.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { TodayPage } from './pages/today-page.ts';

test("a new device shows today's jobs before the whole history has arrived", async ({ page, context }) => {
  // Hold every pull by cursor (not the priority pull) until today's jobs are on screen.
  let release = (): void => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const held: string[] = [];
  const priority: string[] = [];
  await context.route(/\/api\/sync\/pull(\?|$)/, async (route) => {
    held.push(route.request().url());
    await released;
    await route.continue();
  });
  page.on('request', (request) => {
    if (request.url().includes('/api/sync/pull/priority')) priority.push(request.url());
  });

  const signIn = new SignInPage(page);
  const shell = new ShellPage(page);
  await signIn.goto();
  await signIn.signIn(DEMO.wes.email, DEMO.wes.password);
  await shell.expectSignedInAs(/Wes/);

  const today = new TodayPage(page);
  await expect(today.todayJobs.first()).toBeVisible({ timeout: 20_000 });
  await expect(today.tomorrowJobs.first()).toBeVisible();
  // The device asked for its week, and its pull by cursor is waiting: the list came from the priority pull.
  expect(priority.length).toBeGreaterThan(0);
  await expect.poll(() => held.length).toBeGreaterThan(0);
  expect(priority[0]).toMatch(/from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}/);

  release();
  await shell.sync.expectSynced();
  const jobs = await today.todayJobs.count();
  await page.reload();
  await expect(today.todayJobs).toHaveCount(jobs, { timeout: 20_000 });
});
