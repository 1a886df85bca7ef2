/**
 * The one bridge from Dexie `liveQuery` into runes (STYLE 12). Call `live()` while a component (or an
 * `$effect.root`) initialises: it subscribes in an effect and unsubscribes when that owner is destroyed.
 *
 * `key` is read inside the effect, so the query re-subscribes when a reactive input (a job id, the open
 * database) changes; `query` itself runs inside Dexie's own tracking and must not read runes.
 *
 * Never derive "saved" from a live query (FIELD-NOTES: it may notify before the commit): saved comes from
 * the write function's promise and the engine's outbox counts.
 */
import { liveQuery } from 'dexie';

export interface Live<T> {
  /** The latest result, or `initial` until the first one arrives. */
  readonly current: T;
  /** True once a result for the current key has arrived. */
  readonly ready: boolean;
  /** The last error the query raised (the database closed for an upgrade, ...). */
  readonly error: unknown;
}

export function live<K, T>(key: () => K | null | undefined, query: (key: K) => T | Promise<T>, initial: T): Live<T> {
  let current = $state.raw<T>(initial);
  let ready = $state(false);
  let error = $state.raw<unknown>(null);

  $effect(() => {
    const k = key();
    ready = false;
    error = null;
    if (k === null || k === undefined) {
      current = initial;
      return;
    }
    const subscription = liveQuery(() => query(k)).subscribe({
      next: (value) => {
        current = value;
        ready = true;
      },
      error: (err: unknown) => {
        error = err;
      },
    });
    return () => subscription.unsubscribe();
  });

  return {
    get current() {
      return current;
    },
    get ready() {
      return ready;
    },
    get error() {
      return error;
    },
  };
}
