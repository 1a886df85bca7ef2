import { expect, type Locator, type Page } from '@playwright/test';

/** The sign-in screen (also the "sign in again" form inside the shell, through `within`). */
export class SignInPage {
  readonly heading: Locator;
  readonly email: Locator;
  readonly password: Locator;
  readonly showPassword: Locator;
  readonly submit: Locator;
  readonly error: Locator;
  readonly offlineHint: Locator;

  constructor(
    readonly page: Page,
    scope: Page | Locator = page,
    submitLabel = 'Sign in',
  ) {
    this.heading = page.getByRole('heading', { level: 2, name: 'Sign in', exact: true });
    this.email = scope.getByLabel('Email', { exact: true });
    this.password = scope.getByLabel('Password', { exact: true });
    this.showPassword = scope.getByRole('button', { name: 'Show password' });
    this.submit = scope.getByRole('button', { name: submitLabel, exact: true });
    this.error = scope.getByRole('alert');
    this.offlineHint = scope.getByRole('status').filter({ hasText: 'offline' });
  }

  async goto(): Promise<void> {
    await this.page.goto('/');
    await expect(this.heading).toBeVisible();
  }

  async signIn(email: string, password: string): Promise<void> {
    await this.email.fill(email);
    await this.password.fill(password);
    await this.submit.click();
  }

  async expectError(text: string | RegExp): Promise<void> {
    await expect(this.error).toContainText(text);
  }
}
