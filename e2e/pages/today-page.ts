import { expect, type Locator, type Page } from '@playwright/test';

/** Today: my jobs for today and tomorrow. */
export class TodayPage {
  readonly heading: Locator;
  readonly todayJobs: Locator;
  readonly tomorrowJobs: Locator;
  readonly firstSync: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1, name: 'Today' });
    this.todayJobs = page.getByTestId('jobs-today').getByTestId('job-card');
    this.tomorrowJobs = page.getByTestId('jobs-tomorrow').getByTestId('job-card');
    this.firstSync = page.getByTestId('first-sync');
  }

  job(title: string): Locator {
    return this.page.getByRole('link', { name: new RegExp(`^${title}`) });
  }

  async expectJobs(count: number): Promise<void> {
    await expect(this.todayJobs).toHaveCount(count, { timeout: 20_000 });
  }

  /** Title of the first job listed for today. */
  async firstJobTitle(): Promise<string> {
    await expect(this.todayJobs.first()).toBeVisible({ timeout: 20_000 });
    return ((await this.todayJobs.first().locator('.title').textContent()) ?? '').trim();
  }

  async openJob(title: string): Promise<void> {
    await this.job(title).click();
    await expect(this.page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  }
}
