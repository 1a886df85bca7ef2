import { describe, expect, it } from 'vitest';
import { ReloadRequiredError, StorageFullError, WriteFailedError } from '../data/index.ts';
import { writeErrorMessage } from './write-errors.ts';

describe('write error wording (OB6: never a false "saved")', () => {
  it('says plainly that the change was NOT saved', () => {
    expect(writeErrorMessage(new StorageFullError())).toBe('This device is full — the change was NOT saved. Free up some space, then try again.');
    expect(writeErrorMessage(new ReloadRequiredError())).toMatch(/NOT saved. Reload/);
    expect(writeErrorMessage(new WriteFailedError('boom'))).toMatch(/could not be saved/);
    expect(writeErrorMessage(new Error('weird'))).toBe('The change was NOT saved (weird). Try again.');
  });
});
