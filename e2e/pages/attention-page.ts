import { type Locator, type Page } from '@playwright/test';

/** Needs attention: refused and conflicting changes with their reasons. */
export class AttentionPage {
  readonly heading: Locator;
  readonly items: Locator;
  readonly empty: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1, name: 'Needs attention' });
    this.items = page.getByTestId('attention-item');
    this.empty = page.getByTestId('attention-empty');
  }

  item(subject: string | RegExp): Locator {
    return this.items.filter({ hasText: subject });
  }
}
