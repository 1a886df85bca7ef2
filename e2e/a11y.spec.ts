/**
 * Accessibility: axe-core finds no violations on the sign-in screen and the signed-in shell, on a phone and
 * on a desktop; everything works from the keyboard. Screenshots of each state are saved with the results.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';
import { ApiPerson } from './fixtures/api.ts';
import { DEMO } from './fixtures/demo.ts';
import { ServerDb } from './fixtures/server-db.ts';
import { expect, test } from './fixtures/test.ts';
import { AttentionPage } from './pages/attention-page.ts';
import { DiagnosticsPage } from './pages/diagnostics-page.ts';
import { JobPage } from './pages/job-page.ts';
import { ShellPage } from './pages/shell-page.ts';
import { ShiftPage } from './pages/shift-page.ts';
import { SignInPage } from './pages/sign-in-page.ts';
import { TodayPage } from './pages/today-page.ts';

// Each test starts from the freshly seeded demo organisation: these tests change jobs and punches.
test.use({ freshServer: true });

const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
} as const;

async function expectNoAxeViolations(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map((v) => `${v.id} (${v.impact ?? 'n/a'}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary, `axe violations on ${name}`).toEqual([]);
}

for (const [size, viewport] of Object.entries(VIEWPORTS)) {
  test.describe(`on a ${size}`, () => {
    test.use({ viewport });

    test('the field-worker screens have no axe violations: job detail, shift, needs attention, sign-out warning', async ({
      page,
      context,
      app,
    }, testInfo) => {
      const signIn = new SignInPage(page);
      const shell = new ShellPage(page);
      const today = new TodayPage(page);
      const job = new JobPage(page);
      const shift = new ShiftPage(page);
      await signIn.goto();
      await signIn.signIn(DEMO.wes.email, DEMO.wes.password);
      await shell.expectSignedInAs(/Wes/);
      await shell.sync.expectSynced();

      const title = await today.firstJobTitle();
      await today.openJob(title);
      const jobId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
      await job.typeNotes('Checked.');
      await job.addChecklist('Flue');
      await job.addMeasurementRow('Pressure', '1.5', 'bar');
      await job.measurementValue.fill('not a number');
      await job.measurementLabel.fill('Temperature');
      await job.addMeasurement.click();
      await expect(job.measurementValue).toHaveAttribute('aria-invalid', 'true');
      await expectNoAxeViolations(page, testInfo, `job-${size}`);

      await shell.navLink('Shift').click();
      await shift.punch('Clock in', 'Clocked in');
      await shift.correction.getByRole('button', { name: 'Enter the real end time' }).click();
      await expectNoAxeViolations(page, testInfo, `shift-${size}`);

      // A refused change: Wes starts the job offline while Maria gives it to Ana.
      await shell.navLink('Today').click();
      await today.openJob(title);
      await context.setOffline(true);
      await job.start();
      const maria = await ApiPerson.signIn(app.url, DEMO.maria.email, DEMO.maria.password);
      try {
        const db = new ServerDb(app);
        const anaId = db.userId(DEMO.ana.email);
        db.close();
        const record = (await maria.pullAll()).find((r) => r.entity === 'job' && r.entityId === jobId);
        await maria.update('job', jobId, record?.version ?? 0, { assigneeId: anaId });
      } finally {
        await maria.dispose();
      }
      await shell.navLink('Shift').click();
      await shift.punch('Start break', 'Break started');
      // Diagnostics while offline: waiting rows, failed probes, a failed attempt announced.
      const diagnostics = new DiagnosticsPage(page);
      await diagnostics.openFromStatusBar();
      await expect(diagnostics.finding('offline')).toBeVisible();
      await expect(diagnostics.workerProbe).toContainText('Cannot reach the server');
      await diagnostics.syncNow.click();
      await expect(diagnostics.outcome).toContainText('Sync did not finish');
      await expectNoAxeViolations(page, testInfo, `diagnostics-offline-${size}`);
      await shell.navLink('Shift').click();
      await shell.signOutButton.click();
      await expect(page.getByRole('dialog', { name: 'Sign out with changes waiting?' })).toBeVisible();
      await expectNoAxeViolations(page, testInfo, `sign-out-warning-${size}`);
      await page.getByRole('button', { name: 'Stay signed in' }).click();

      await context.setOffline(false);
      await shell.sync.expectAttention(1);
      await shell.sync.attentionLink.click();
      const attention = new AttentionPage(page);
      await expect(attention.items).toHaveCount(1);
      await expectNoAxeViolations(page, testInfo, `attention-${size}`);
      await attention.items.first().getByRole('button', { name: 'Discard…' }).click();
      await expectNoAxeViolations(page, testInfo, `attention-confirm-${size}`);

      // Diagnostics online with refused rows and recorded attempts.
      await diagnostics.openFromStatusBar();
      await expect(diagnostics.finding('refused')).toBeVisible();
      await expect(diagnostics.workerProbe).toContainText('Reaches the server');
      await expect(diagnostics.attempts.first()).toBeVisible();
      await expectNoAxeViolations(page, testInfo, `diagnostics-refused-${size}`);
    });

    test('the sign-in screen, empty and with an error, has no axe violations', async ({ page }, testInfo) => {
      const signIn = new SignInPage(page);
      await signIn.goto();
      await expectNoAxeViolations(page, testInfo, `sign-in-${size}`);

      await signIn.signIn(DEMO.wes.email, 'wrong-password');
      await signIn.expectError('don’t match');
      await expectNoAxeViolations(page, testInfo, `sign-in-error-${size}`);
    });

    test('the signed-in shell has no axe violations on each screen, online and offline', async ({ page, context }, testInfo) => {
      const signIn = new SignInPage(page);
      const shell = new ShellPage(page);
      await signIn.goto();
      await signIn.signIn(DEMO.wes.email, DEMO.wes.password);
      await shell.expectSignedInAs(/Wes/);
      await expect(new TodayPage(page).todayJobs.first()).toBeVisible({ timeout: 20_000 });
      await shell.sync.expectSynced();
      await expectNoAxeViolations(page, testInfo, `today-${size}`);

      await shell.navLink('Settings').click();
      await expect(shell.viewHeading('Settings')).toBeVisible();
      await expectNoAxeViolations(page, testInfo, `settings-${size}`);

      await shell.navLink('Today').click();
      await context.setOffline(true);
      await expect(shell.offlineBanner).toBeVisible();
      await context.clearCookies();
      await context.setOffline(false);
      await expect(shell.offlineBanner).toBeHidden();
      await expect(shell.sessionEndedBanner).toBeVisible();
      await shell.sessionEndedBanner.getByRole('button', { name: 'Sign in again' }).click();
      await expect(shell.signInAgainForm().password).toBeVisible();
      await context.setOffline(true);
      await expect(shell.offlineBanner).toBeVisible();
      await expectNoAxeViolations(page, testInfo, `today-offline-session-ended-${size}`);
    });
  });
}

test('signing in and moving around works from the keyboard alone', async ({ page }) => {
  const signIn = new SignInPage(page);
  const shell = new ShellPage(page);
  await signIn.goto();

  await page.keyboard.press('Tab');
  await expect(signIn.email).toBeFocused();
  await page.keyboard.type(DEMO.wes.email);
  await page.keyboard.press('Tab');
  await expect(signIn.password).toBeFocused();
  await page.keyboard.type(DEMO.wes.password);
  await page.keyboard.press('Tab');
  await expect(signIn.showPassword).toBeFocused();
  await page.keyboard.press('Space');
  await expect(signIn.showPassword).toHaveAttribute('aria-pressed', 'true');
  await expect(signIn.password).toHaveAttribute('type', 'text');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');

  await shell.expectSignedInAs(/Wes/);
  await expect(shell.todayHeading).toBeFocused();

  await shell.navLink('Shift').focus();
  await page.keyboard.press('Enter');
  await expect(shell.viewHeading('Shift')).toBeFocused();
});
