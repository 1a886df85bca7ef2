/**
 * Persistent storage (contract 10): asked for once the person is signed in, so the browser does not evict
 * the device's data under storage pressure. Chromium grants it by heuristics (installed, engagement) and
 * may say no; the answer is kept for the diagnostics page.
 */
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

/** "12.3 MB used of about 2.1 GB available", or null where the browser cannot say. */
export async function storageEstimate(storage: StorageManager | undefined = navigator.storage): Promise<string | null> {
  if (storage === undefined || typeof storage.estimate !== 'function') return null;
  try {
    const { usage, quota } = await storage.estimate();
    if (usage === undefined || quota === undefined) return null;
    return `${formatBytes(usage)} used of about ${formatBytes(quota)} available to Outpost.`;
  } catch {
    return null;
  }
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
