/**
 * The service-worker specs' view of the app: the screens' own page objects (shell with its sync status,
 * Shift, Today, a job) put together for a field worker, plus the update prompt and the Background Sync
 * registration the page makes after each write.
 */
import { expect, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { DEMO } from '../fixtures/demo.ts';
import { OUTBOX_SYNC_TAG } from '../fixtures/sw.ts';
import { JobPage } from './job-page.ts';
import { ShellPage } from './shell-page.ts';
import { ShiftPage } from './shift-page.ts';
import { SignInPage } from './sign-in-page.ts';
import { TodayPage } from './today-page.ts';

export class SwFieldApp {
  readonly shell: ShellPage;
  readonly shift: ShiftPage;
  readonly today: TodayPage;
  readonly job: JobPage;
  /** The update prompt (UpdateBanner.svelte): role "status", or "alert" when syncing waits for the update. */
  readonly updateBanner: Locator;
  readonly updateNowButton: Locator;

  constructor(readonly page: Page) {
    this.shell = new ShellPage(page);
    this.shift = new ShiftPage(page);
    this.today = new TodayPage(page);
    this.job = new JobPage(page);
    this.updateBanner = page.getByTestId('update-banner');
    this.updateNowButton = this.updateBanner.getByRole('button', { name: 'Update now' });
  }

  get sync(): ShellPage['sync'] {
    return this.shell.sync;
  }

  /** The first page of a (persistent) context, or a new one. */
  static async open(context: BrowserContext): Promise<SwFieldApp> {
    return new SwFieldApp(context.pages()[0] ?? (await context.newPage()));
  }

  /** Sign in as Wes (field worker); wait until the service worker controls the page and the first sync ran. */
  async signInAsWes(): Promise<void> {
    const signIn = new SignInPage(this.page);
    await signIn.goto();
    await signIn.signIn(DEMO.wes.email, DEMO.wes.password);
    await this.shell.expectSignedInAs(/Wes/);
    await this.shell.waitForServiceWorkerControl();
    await this.sync.expectSynced();
  }

  /** Clock in on the Shift screen (a fresh server: Wes is off shift). */
  async clockIn(): Promise<void> {
    await this.shell.navLink('Shift').click();
    await expect(this.shift.state).toHaveText('Off shift');
    await this.shift.punch('Clock in', 'Clocked in');
  }

  /** Write notes in the report of Wes's first job today. */
  async writeFirstJobNotes(notes: string): Promise<void> {
    await this.shell.navLink('Today').click();
    const title = await this.today.firstJobTitle();
    await this.today.openJob(title);
    await this.job.typeNotes(notes);
  }

  /** Wait until the page has asked the browser for the outbox's Background Sync (it does so after each write). */
  async waitForBackgroundSyncRegistered(): Promise<void> {
    await expect
      .poll(
        () =>
          this.page.evaluate(async () => {
            const registration = (await navigator.serviceWorker.ready) as ServiceWorkerRegistration & { sync: { getTags(): Promise<string[]> } };
            return registration.sync.getTags();
          }),
        { message: 'the page registers the outbox sync tag after a write' },
      )
      .toContain(OUTBOX_SYNC_TAG);
  }
}
