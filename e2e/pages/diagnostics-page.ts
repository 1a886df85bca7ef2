import { expect, type Locator, type Page } from '@playwright/test';

/** Diagnostics (/diagnostics): findings, connection probes, the outbox row by row, sync attempts, actions. */
export class DiagnosticsPage {
  readonly heading: Locator;
  readonly findings: Locator;
  readonly outcome: Locator;
  readonly syncNow: Locator;
  readonly exportButton: Locator;
  readonly importInput: Locator;
  readonly checkAgain: Locator;
  readonly pageProbe: Locator;
  readonly workerProbe: Locator;
  readonly workerState: Locator;
  readonly versions: Locator;
  readonly rows: Locator;
  readonly outboxEmpty: Locator;
  readonly attempts: Locator;
  readonly nextRetry: Locator;
  readonly deviceId: Locator;
  readonly person: Locator;
  readonly storage: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1, name: 'Diagnostics' });
    this.findings = page.getByTestId('finding');
    this.outcome = page.getByTestId('diagnostics-outcome');
    const now = page.getByRole('region', { name: 'Right now' });
    this.syncNow = now.getByRole('button', { name: /Sync now|Syncing/ });
    this.exportButton = now.getByRole('button', { name: 'Export unsent changes' });
    this.importInput = now.getByLabel('Import changes from a file');
    this.checkAgain = page.getByRole('button', { name: /Check again|Checking/ });
    this.pageProbe = page.getByTestId('page-probe');
    this.workerProbe = page.getByTestId('worker-probe');
    this.workerState = page.getByTestId('worker-state');
    this.versions = page.getByTestId('versions');
    this.rows = page.getByTestId('outbox-row');
    this.outboxEmpty = page.getByTestId('outbox-empty');
    this.attempts = page.getByTestId('sync-attempt');
    this.nextRetry = page.getByTestId('diagnostics-next-retry');
    this.deviceId = page.getByTestId('diagnostics-device-id');
    this.person = page.getByTestId('diagnostics-person');
    this.storage = page.getByTestId('diagnostics-storage');
  }

  /** Open it the way a person does: the "Sync details" link in the sync status bar. */
  async openFromStatusBar(): Promise<void> {
    await this.page.getByRole('region', { name: 'Sync status' }).getByRole('link', { name: 'Sync details' }).click();
    await expect(this.heading).toBeVisible();
  }

  finding(id: string): Locator {
    return this.page.locator(`[data-testid="finding"][data-finding="${id}"]`);
  }

  rowsIn(state: 'pending' | 'sending' | 'acked' | 'refused' | 'conflict'): Locator {
    return this.page.locator(`[data-testid="outbox-row"][data-state="${state}"]`);
  }
}
