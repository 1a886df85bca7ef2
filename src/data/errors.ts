/**
 * Errors the write functions reject with. A write that rejects saved nothing
 * (OB1, OB6): the UI shows the message and keeps what the person typed.
 */

/** The device has no room left; the change was not saved (OB6). */
export class StorageFullError extends Error {
  override readonly name = 'StorageFullError';
  constructor(options?: { cause?: unknown }) {
    super('This device is out of storage space, so the change was not saved. Free up some space and try again.', options);
  }
}

/** Another tab or the service worker opened a newer version of the app's data; reload to continue (VR2). */
export class ReloadRequiredError extends Error {
  override readonly name = 'ReloadRequiredError';
  constructor(options?: { cause?: unknown }) {
    super('A newer version of Outpost is open on this device, so the change was not saved. Reload the app to continue.', options);
  }
}

/** Any other failed transaction: nothing was saved (OB6). */
export class WriteFailedError extends Error {
  override readonly name = 'WriteFailedError';
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`The change could not be saved on this device (${detail}). Try again.`, options);
  }
}

/** The edit breaks the protocol's field rules (e.g. an empty title); nothing was saved. */
export class InvalidChangeError extends Error {
  override readonly name = 'InvalidChangeError';
  readonly issues: readonly string[];
  constructor(issues: readonly string[]) {
    super(`The change is not valid: ${issues.join('; ')}`);
    this.issues = issues;
  }
}

/** The merge rules refuse the edit on this device already (e.g. the job is not here, a punch edit). */
export class ChangeRefusedError extends Error {
  override readonly name = 'ChangeRefusedError';
  readonly code: string;
  constructor(code: string, reason: string) {
    super(reason);
    this.code = code;
  }
}

/** An outbox operation was asked of a row that is missing or in the wrong state. */
export class OutboxRowError extends Error {
  override readonly name = 'OutboxRowError';
}

const OWN_ERRORS = [StorageFullError, ReloadRequiredError, WriteFailedError, InvalidChangeError, ChangeRefusedError, OutboxRowError];

function nameOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'name' in err && typeof err.name === 'string' ? err.name : undefined;
}

/** True for `QuotaExceededError`, or an abort (Dexie `AbortError`) caused by one (OB6, FIELD-NOTES). */
export function isQuotaError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (nameOf(e) === 'QuotaExceededError') return true;
    const next: unknown = (e as { inner?: unknown }).inner ?? (e as { cause?: unknown }).cause;
    if (next === e) break;
    e = next;
  }
  return false;
}

/** Turn any failure of a write transaction into one of the errors above (OB6). */
export function toWriteError(err: unknown, closedForUpgrade: boolean): Error {
  if (OWN_ERRORS.some((cls) => err instanceof cls)) return err as Error;
  if (isQuotaError(err)) return new StorageFullError({ cause: err });
  if (closedForUpgrade || nameOf(err) === 'DatabaseClosedError') {
    return closedForUpgrade ? new ReloadRequiredError({ cause: err }) : new WriteFailedError('the local database is closed', { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new WriteFailedError(message || nameOf(err) || 'unknown error', { cause: err });
}
