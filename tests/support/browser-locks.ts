import type { LockInfo, LockRequestOptions, LocksLike } from '../../src/sync/locks.ts';

/** One browsing context's view of the browser's Web Locks; `kill` ends the context. */
export interface ContextLocks {
  readonly locks: LocksLike;
  /** The context dies: the locks it holds are released and its queued requests dropped, as in a browser. */
  kill(): void;
}

export interface BrowserLocks {
  context(): ContextLocks;
}

interface Waiter {
  readonly ctx: number;
  readonly grant: () => void;
}

/**
 * Web Locks shared by every context of one simulated browser (tabs, workers).
 * Exclusive only, which is all the drain needs (SY1).
 */
export function createBrowserLocks(): BrowserLocks {
  const queues = new Map<string, Waiter[]>();
  const holders = new Map<string, { ctx: number; release: () => void }>();
  let nextCtx = 1;

  const pump = (name: string) => {
    if (holders.has(name)) return;
    queues.get(name)?.shift()?.grant();
  };

  return {
    context() {
      const id = nextCtx++;
      let dead = false;
      const locks: LocksLike = {
        request<T>(name: string, options: LockRequestOptions, callback: (lock: LockInfo | null) => Promise<T>): Promise<T> {
          return new Promise<T>((resolve, reject) => {
            if (dead) return; // a dead context's calls never complete
            const busy = holders.has(name) || (queues.get(name)?.length ?? 0) > 0;
            if (options.ifAvailable && busy) {
              callback(null).then(resolve, reject);
              return;
            }
            const grant = () => {
              let released = false;
              const release = () => {
                if (released) return;
                released = true;
                if (holders.get(name)?.ctx === id) holders.delete(name);
                pump(name);
              };
              holders.set(name, { ctx: id, release });
              callback({ name, mode: 'exclusive' }).then(resolve, reject).finally(release);
            };
            const queue = queues.get(name) ?? [];
            queues.set(name, queue);
            queue.push({ ctx: id, grant });
            pump(name);
          });
        },
      };
      return {
        locks,
        kill() {
          dead = true;
          for (const [name, queue] of queues) queues.set(name, queue.filter((w) => w.ctx !== id));
          for (const [, holder] of [...holders]) if (holder.ctx === id) holder.release();
        },
      };
    },
  };
}
