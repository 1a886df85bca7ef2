import { expect, type Locator, type Page } from '@playwright/test';

/** The always-visible sync status under the header. */
export class SyncStatus {
  readonly bar: Locator;
  readonly headline: Locator;
  readonly waiting: Locator;
  readonly network: Locator;
  readonly lastSync: Locator;
  readonly problem: Locator;
  readonly attentionLink: Locator;
  readonly syncNow: Locator;

  constructor(readonly page: Page) {
    this.bar = page.getByRole('region', { name: 'Sync status' });
    this.headline = page.getByTestId('sync-headline');
    this.waiting = page.getByTestId('sync-waiting');
    this.network = page.getByTestId('sync-network');
    this.lastSync = page.getByTestId('sync-last');
    this.problem = page.getByTestId('sync-problem');
    this.attentionLink = this.bar.getByRole('link', { name: /need.* your attention/ });
    this.syncNow = this.bar.getByRole('button', { name: /Sync now|Syncing/ });
  }

  /** Every change acknowledged: "Synced", nothing waiting. */
  async expectSynced(timeout = 20_000): Promise<void> {
    await expect(this.headline).toHaveText('Synced', { timeout });
    await expect(this.waiting).toHaveText('Nothing waiting', { timeout });
  }

  /** Changes committed on this device but not yet acknowledged. */
  async expectSavedWaiting(count: number): Promise<void> {
    await expect(this.headline).toHaveText('Saved on this device');
    await expect(this.waiting).toHaveText(`${count} ${count === 1 ? 'change' : 'changes'} waiting`);
  }

  async expectAttention(count: number): Promise<void> {
    await expect(this.attentionLink).toHaveText(`${count} ${count === 1 ? 'change needs' : 'changes need'} your attention`, { timeout: 20_000 });
  }
}
