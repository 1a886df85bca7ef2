import { expect, type Locator, type Page } from '@playwright/test';

/** Shift: clock in/out, breaks, today's punches, the forgotten clock-out correction. */
export class ShiftPage {
  readonly heading: Locator;
  readonly state: Locator;
  readonly punchStatus: Locator;
  readonly punches: Locator;
  readonly correction: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1, name: 'Shift' });
    this.state = page.getByTestId('shift-state');
    this.punchStatus = page.getByTestId('punch-status');
    this.punches = page.getByTestId('punch');
    this.correction = page.getByRole('region', { name: 'Forgot to clock out?' });
  }

  button(name: 'Clock in' | 'Start break' | 'End break' | 'Clock out'): Locator {
    return this.page.getByRole('button', { name, exact: true });
  }

  /** Punch and wait until it is committed on this device (location may take up to its timeout). */
  async punch(name: 'Clock in' | 'Start break' | 'End break' | 'Clock out', done: string): Promise<void> {
    await this.button(name).click();
    await expect(this.punchStatus).toHaveText(`${done} — saved on this device`, { timeout: 15_000 });
  }
}
