/**
 * Accessibility: axe-core finds no violations on the sign-in screen and the signed-in shell, on a phone and
 * on a desktop; everything works from the keyboard. Screenshots of each state are saved with the results.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';
import { DEMO } from './fixtures/demo.ts';
import { expect, test } from './fixtures/test.ts';
import { ShellPage } from './pages/shell-page.ts';
import { SignInPage } from './pages/sign-in-page.ts';

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
