/** Sign in once online; afterwards the app opens from the device, signed in, with no network. */
import { DEMO } from './fixtures/demo.ts';
import { expect, test } from './fixtures/test.ts';
import { ShellPage } from './pages/shell-page.ts';
import { SignInPage } from './pages/sign-in-page.ts';

test('SW1: signed in as Wes online, a reload offline shows the app shell signed in as Wes', async ({ page, context }) => {
  const signIn = new SignInPage(page);
  const shell = new ShellPage(page);
  await signIn.goto();
  await signIn.signIn(DEMO.wes.email, DEMO.wes.password);
  await shell.expectSignedInAs(/Wes/);
  const name = await shell.personName();
  await shell.waitForServiceWorkerControl();
  // The first sync has brought today's jobs onto the device.
  await expect(page.getByTestId('jobs-today').getByTestId('job-card')).toHaveCount(2);

  await context.setOffline(true);
  await page.reload();

  await shell.expectSignedInAs(name);
  // The jobs synced while online are read from the device.
  await expect(page.getByTestId('jobs-today').getByTestId('job-card')).toHaveCount(2);
  await expect(shell.offlineBanner).toBeVisible();
  await expect(shell.sessionEndedBanner).toBeHidden();
});

test('offline, a deep link opens its screen from the cache', async ({ page, context }) => {
  const signIn = new SignInPage(page);
  const shell = new ShellPage(page);
  await signIn.goto();
  await signIn.signIn(DEMO.wes.email, DEMO.wes.password);
  await shell.expectSignedInAs(/Wes/);
  await shell.waitForServiceWorkerControl();

  await context.setOffline(true);
  await page.goto('/settings');
  await expect(shell.viewHeading('Settings')).toBeVisible();
  await expect(shell.navLink('Settings')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByText(DEMO.wes.email)).toBeVisible();
});

test('with every page closed, the installed app opens offline in a new page, still signed in', async ({
  persistentContext,
}) => {
  const first = persistentContext.pages()[0] ?? (await persistentContext.newPage());
  const signIn = new SignInPage(first);
  await signIn.goto();
  await signIn.signIn(DEMO.wes.email, DEMO.wes.password);
  const firstShell = new ShellPage(first);
  await firstShell.expectSignedInAs(/Wes/);
  const name = await firstShell.personName();
  await firstShell.waitForServiceWorkerControl();
  await first.close();

  await persistentContext.setOffline(true);
  const again = await persistentContext.newPage();
  await again.goto('/');
  const shell = new ShellPage(again);
  await shell.expectSignedInAs(name);
  await expect(shell.offlineBanner).toBeVisible();
});
