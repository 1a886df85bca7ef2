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
