import { expect, type Locator, type Page } from '@playwright/test';

/** A job's detail: status, and the report (notes, checklist, measurements). */
export class JobPage {
  readonly status: Locator;
  readonly startWork: Locator;
  readonly finishJob: Locator;
  readonly statusSave: Locator;
  readonly notes: Locator;
  readonly notesStatus: Locator;
  readonly checklist: Locator;
  readonly newChecklistItem: Locator;
  readonly addChecklistItem: Locator;
  readonly checklistStatus: Locator;
  readonly measurements: Locator;
  readonly measurementLabel: Locator;
  readonly measurementValue: Locator;
  readonly measurementUnit: Locator;
  readonly addMeasurement: Locator;
  readonly measurementsStatus: Locator;
  readonly backToToday: Locator;

  constructor(readonly page: Page) {
    this.status = page.getByTestId('job-status');
    this.startWork = page.getByRole('button', { name: 'Start work' });
    this.finishJob = page.getByRole('button', { name: 'Finish job' });
    this.statusSave = page.getByTestId('status-save');
    this.notes = page.getByRole('textbox', { name: 'Notes' });
    this.notesStatus = page.getByTestId('notes-status');
    this.checklist = page.getByTestId('checklist');
    this.newChecklistItem = page.getByRole('textbox', { name: 'New checklist item' });
    this.addChecklistItem = page.getByRole('button', { name: 'Add item' });
    this.checklistStatus = page.getByTestId('checklist-status');
    this.measurements = page.getByTestId('measurements');
    this.measurementLabel = page.getByRole('textbox', { name: 'What' });
    this.measurementValue = page.getByRole('textbox', { name: 'Value' });
    this.measurementUnit = page.getByRole('textbox', { name: 'Unit' });
    this.addMeasurement = page.getByRole('button', { name: 'Add measurement' });
    this.measurementsStatus = page.getByTestId('measurements-status');
    this.backToToday = page.getByRole('link', { name: '← Today' });
  }

  heading(title: string): Locator {
    return this.page.getByRole('heading', { level: 1, name: title });
  }

  /** One measurement row, by its label. */
  measurement(label: string): Locator {
    return this.measurements.getByRole('listitem').filter({ has: this.page.locator('.m-label', { hasText: label }) });
  }

  /** Type the notes as a person would (one write per keystroke, folded by the app). */
  async typeNotes(text: string): Promise<void> {
    await this.notes.click();
    await this.notes.pressSequentially(text);
    await expect(this.notesStatus).toHaveText('Saved on this device');
  }

  async addChecklist(label: string): Promise<void> {
    await this.newChecklistItem.fill(label);
    await this.addChecklistItem.click();
    await expect(this.checklist.getByRole('checkbox', { name: label })).toBeVisible();
    await expect(this.checklistStatus).toHaveText('Saved on this device');
  }

  async addMeasurementRow(label: string, value: string, unit: string): Promise<void> {
    await this.measurementLabel.fill(label);
    await this.measurementValue.fill(value);
    await this.measurementUnit.fill(unit);
    await this.addMeasurement.click();
    await expect(this.measurement(label)).toBeVisible();
    await expect(this.measurementsStatus).toHaveText('Saved on this device');
  }

  async start(): Promise<void> {
    await this.startWork.click();
    await expect(this.status).toHaveText('In progress');
    await expect(this.statusSave).toHaveText('Saved on this device');
  }
}
