/** Sign-in and sign-out: clear errors, and an ended session never stops work (contract 8). */
import { DEMO } from './fixtures/demo.ts';
import { expect, test } from './fixtures/test.ts';
import { ShellPage } from './pages/shell-page.ts';
import { SignInPage } from './pages/sign-in-page.ts';

test('a wrong password says so and keeps the person on the sign-in screen', async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.signIn(DEMO.wes.email, 'not-the-password');
  await signIn.expectError('That email and password don’t match');
  await expect(signIn.heading).toBeVisible();
  await expect(signIn.password).toHaveValue('not-the-password');
});

test('empty fields are named, and focus goes to the first one to fix', async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.submit.click();
  await expect(signIn.email).toBeFocused();
  await expect(signIn.email).toHaveAttribute('aria-invalid', 'true');
  await expect(signIn.email).toHaveAccessibleDescription('Enter your email address.');
  await expect(signIn.password).toHaveAccessibleDescription('Enter your password.');
});

test('offline, signing in says that a connection is needed', async ({ page, context }) => {
  const signIn = new SignInPage(page);
  await signIn.goto();
  await context.setOffline(true);
  await expect(signIn.offlineHint).toBeVisible();
  await signIn.signIn(DEMO.wes.email, DEMO.wes.password);
  await signIn.expectError('You’re offline');
});

test('when the server cannot be reached, signing in says so', async ({ page, context }) => {
  const signIn = new SignInPage(page);
  await signIn.goto();
  await context.route('**/api/auth/sign-in', (route) => route.abort('connectionrefused'));
  await signIn.signIn(DEMO.wes.email, DEMO.wes.password);
  await signIn.expectError('Can’t reach the Outpost server');
});

test('signing in, moving between screens and signing out', async ({ page }) => {
  const signIn = new SignInPage(page);
  const shell = new ShellPage(page);
  await signIn.goto();
  await signIn.signIn(DEMO.wes.email, DEMO.wes.password);
  await shell.expectSignedInAs(/Wes/);
  await expect(shell.todayHeading).toBeFocused();

  await shell.navLink('Shift').click();
  await expect(shell.viewHeading('Shift')).toBeFocused();
  await expect(page).toHaveURL(/\/shift$/);
  await shell.navLink('Settings').click();
  await expect(shell.viewHeading('Settings')).toBeVisible();
  await page.goBack();
  await expect(shell.viewHeading('Shift')).toBeVisible();

  await shell.signOutButton.click();
  await expect(signIn.heading).toBeVisible();
  await page.reload();
  await expect(signIn.heading).toBeVisible();
  expect((await page.request.get('/api/auth/session')).status()).toBe(401);
});

test('an ended session keeps the person working and asks them to sign in again to send', async ({ page, context }) => {
  const signIn = new SignInPage(page);
  const shell = new ShellPage(page);
  await signIn.goto();
  await signIn.signIn(DEMO.wes.email, DEMO.wes.password);
  await shell.expectSignedInAs(/Wes/);

  await context.clearCookies();
  await page.reload();
  await shell.expectSignedInAs(/Wes/);
  await expect(shell.sessionEndedBanner).toBeVisible();

  await shell.sessionEndedBanner.getByRole('button', { name: 'Sign in again' }).click();
  const again = shell.signInAgainForm();
  await expect(again.email).toHaveValue(DEMO.wes.email);
  await again.password.fill(DEMO.wes.password);
  await again.submit.click();
  await expect(shell.sessionEndedBanner).toBeHidden();
  await shell.expectSignedInAs(/Wes/);
  expect((await page.request.get('/api/auth/session')).status()).toBe(200);
});
