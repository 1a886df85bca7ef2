/**
 * Persistent storage (contract 10): asked for once the person is signed in, so the browser does not evict
 * the device's data under storage pressure. Chromium grants it by heuristics (installed, engagement) and
 * may say no; the answer is kept for the diagnostics page.
 */
import { formatBytes } from './bytes.ts';

export { formatBytes };

export type PersistenceState = 'unknown' | 'unsupported' | 'persisted' | 'not-persisted';

class Persistence {
  state = $state<PersistenceState>('unknown');

  #asked = false;

  async request(storage: StorageManager | undefined = navigator.storage): Promise<PersistenceState> {
    if (this.#asked) return this.state;
    this.#asked = true;
    if (storage === undefined || typeof storage.persist !== 'function') {
      this.state = 'unsupported';
      return this.state;
    }
    try {
      const already = typeof storage.persisted === 'function' && (await storage.persisted());
      this.state = already || (await storage.persist()) ? 'persisted' : 'not-persisted';
    } catch {
      this.state = 'not-persisted';
    }
    return this.state;
  }
}

export const persistence = new Persistence();

/** Bytes Outpost's origin uses and may use, or null where the browser cannot say. */
export async function storageNumbers(storage: StorageManager | undefined = navigator.storage): Promise<{ usage: number; quota: number } | null> {
  if (storage === undefined || typeof storage.estimate !== 'function') return null;
  try {
    const { usage, quota } = await storage.estimate();
    if (usage === undefined || quota === undefined) return null;
    return { usage, quota };
  } catch {
    return null;
  }
}

/** "12.3 MB used of about 2.1 GB available", or null where the browser cannot say. */
export async function storageEstimate(storage: StorageManager | undefined = navigator.storage): Promise<string | null> {
  const numbers = await storageNumbers(storage);
  return numbers === null ? null : `${formatBytes(numbers.usage)} used of about ${formatBytes(numbers.quota)} available to Outpost.`;
}
