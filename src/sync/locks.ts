/**
 * The subset of the Web Locks API the drain needs (SY1). `navigator.locks`
 * satisfies it in windows and workers; `createMemoryLocks` is for tests and
 * for contexts without Web Locks (it serializes within one JS realm only).
 */
export interface LockInfo {
  readonly name: string;
  readonly mode: 'exclusive' | 'shared';
}

export interface LockRequestOptions {
  mode?: 'exclusive' | 'shared';
  ifAvailable?: boolean;
  signal?: AbortSignal;
}

export interface LocksLike {
  request<T>(name: string, options: LockRequestOptions, callback: (lock: LockInfo | null) => Promise<T>): Promise<T>;
}

/** The name of the one lock every drain runs inside (SY1). */
export const SYNC_LOCK = 'outpost-sync';

/** In-memory exclusive locks (shared mode is treated as exclusive: the drain only needs exclusive). */
export function createMemoryLocks(): LocksLike {
  const tails = new Map<string, Promise<void>>();
  const held = new Set<string>();
  return {
    async request<T>(name: string, options: LockRequestOptions, callback: (lock: LockInfo | null) => Promise<T>): Promise<T> {
      if (options.ifAvailable && (held.has(name) || tails.has(name))) return callback(null);
      const previous = tails.get(name) ?? Promise.resolve();
      let releaseLock!: () => void;
      const mine = new Promise<void>((resolve) => {
        releaseLock = resolve;
      });
      const tail = previous.then(() => mine);
      tails.set(name, tail);
      await previous;
      if (options.signal?.aborted) {
        releaseLock();
        if (tails.get(name) === tail) tails.delete(name);
        throw options.signal.reason ?? new Error('lock request aborted');
      }
      held.add(name);
      try {
        return await callback({ name, mode: options.mode ?? 'exclusive' });
      } finally {
        held.delete(name);
        releaseLock();
        if (tails.get(name) === tail) tails.delete(name);
      }
    },
  };
}
