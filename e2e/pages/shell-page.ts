import { expect, type Locator, type Page } from '@playwright/test';
import { SignInPage } from './sign-in-page.ts';
import { SyncStatus } from './sync-status.ts';

/** The signed-in app: header, main navigation, the current view. */
export class ShellPage {
  readonly header: Locator;
  readonly person: Locator;
  readonly signOutButton: Locator;
  readonly nav: Locator;
  readonly todayHeading: Locator;
  readonly jobsEmpty: Locator;
  readonly offlineBanner: Locator;
  readonly sessionEndedBanner: Locator;
  readonly sync: SyncStatus;

  constructor(readonly page: Page) {
    this.header = page.getByRole('banner');
    this.person = page.getByTestId('signed-in-person');
    this.signOutButton = this.header.getByRole('button', { name: 'Sign out' });
    this.nav = page.getByRole('navigation', { name: 'Main' });
    this.todayHeading = page.getByRole('heading', { level: 1, name: 'Today' });
    this.jobsEmpty = page.getByTestId('jobs-empty');
    this.offlineBanner = page.getByRole('status').filter({ hasText: 'Outpost keeps working on this device' });
    this.sessionEndedBanner = page.getByRole('region', { name: 'Sign in again to send your changes' });
    this.sync = new SyncStatus(page);
  }

  navLink(name: 'Today' | 'Shift' | 'Settings'): Locator {
    return this.nav.getByRole('link', { name });
  }

  viewHeading(name: string): Locator {
    return this.page.getByRole('heading', { level: 1, name });
  }

  /** The "sign in again" form inside the session-ended banner. */
  signInAgainForm(): SignInPage {
    return new SignInPage(this.page, this.sessionEndedBanner, 'Sign in again');
  }

  async expectSignedInAs(name: string | RegExp): Promise<void> {
    await expect(this.todayHeading).toBeVisible();
    await expect(this.person).toContainText(name);
  }

  async personName(): Promise<string> {
    const text = (await this.person.textContent()) ?? '';
    return text.replace(/^Signed in as\s*/, '').trim();
  }

  /** Wait until the service worker controls this page (it has installed, precached and claimed it). */
  async waitForServiceWorkerControl(): Promise<void> {
    await this.page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
  }
}
