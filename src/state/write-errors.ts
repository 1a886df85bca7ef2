/**
 * What a person reads when a write was NOT saved (OB6). The data layer's errors already carry sentences;
 * this picks the short, clear one for a field and never says "saved" for a failure.
 */
export function writeErrorMessage(error: unknown): string {
  const name = typeof error === 'object' && error !== null && 'name' in error ? String((error as { name: unknown }).name) : '';
  const message = error instanceof Error ? error.message : String(error);
  switch (name) {
    case 'StorageFullError':
      return 'This device is full — the change was NOT saved. Free up some space, then try again.';
    case 'ReloadRequiredError':
      return 'Outpost was updated in another tab — the change was NOT saved. Reload to continue.';
    case 'InvalidChangeError':
      return `That can’t be saved: ${message.replace(/^The change is not valid:\s*/, '')}`;
    case 'ChangeRefusedError':
      return `Not saved: ${message}`;
    case 'WriteFailedError':
      return message;
    default:
      return `The change was NOT saved (${message || 'unknown error'}). Try again.`;
  }
}
