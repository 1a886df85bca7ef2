/**
 * "Saved as I type" without flooding the outbox: at most one write in flight; while it runs, only the
 * latest value waits (earlier queued values are dropped, they were superseded). With OB5 folding the
 * outbox keeps one row per field until it is sent. Plain TypeScript, tested in Node.
 */
export type WriteState<E = unknown> =
  | { readonly kind: 'idle' }
  | { readonly kind: 'saving' }
  /** The latest value is committed on this device (the write function resolved). */
  | { readonly kind: 'saved' }
  | { readonly kind: 'error'; readonly error: E };

export interface LatestWriter<V> {
  /** Ask to save `value`; resolves when this value, or a later one replacing it, has settled. */
  write(value: V): Promise<void>;
  /** True while a write runs or a value waits. */
  readonly busy: boolean;
}

export function createLatestWriter<V>(save: (value: V) => Promise<unknown>, onState: (state: WriteState) => void): LatestWriter<V> {
  let running: Promise<void> | null = null;
  let queued: { value: V } | null = null;

  async function loop(first: V): Promise<void> {
    let next: { value: V } | null = { value: first };
    while (next) {
      const { value } = next;
      next = null;
      onState({ kind: 'saving' });
      try {
        await save(value);
        if (!queued) onState({ kind: 'saved' });
      } catch (error) {
        // A failed value is not retried by itself: the person sees the error and the text stays.
        if (!queued) onState({ kind: 'error', error });
      }
      next = queued;
      queued = null;
    }
  }

  return {
    write(value) {
      if (running) {
        queued = { value };
        return running;
      }
      running = loop(value).finally(() => {
        running = null;
      });
      return running;
    },
    get busy() {
      return running !== null;
    },
  };
}
