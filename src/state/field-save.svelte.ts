/**
 * Per-field save feedback for the UI: "Saving…", "Saved on this device" (only after the write function
 * resolved, OB1) or the error in words. `latest` keeps at most one write in flight (latest-writer.ts).
 */
import { createLatestWriter, type LatestWriter, type WriteState } from './latest-writer.ts';
import { writeErrorMessage } from './write-errors.ts';

export class FieldSave<V = void> {
  state = $state.raw<WriteState>({ kind: 'idle' });
  readonly #writer: LatestWriter<V>;

  constructor(save: (value: V) => Promise<unknown>) {
    this.#writer = createLatestWriter(save, (state) => (this.state = state));
  }

  /** Save `value` (the latest one wins while a write runs). Never rejects: the error shows in `message`. */
  save(value: V): Promise<void> {
    return this.#writer.write(value);
  }

  get busy(): boolean {
    return this.state.kind === 'saving';
  }

  /** The sentence to show, or null. */
  get message(): string | null {
    return messageOf(this.state);
  }

  get failed(): boolean {
    return this.state.kind === 'error';
  }
}

/**
 * Feedback for one-off actions (start a job, add a checklist item): every call runs (none is dropped);
 * the message follows the last one to settle.
 */
export class ActionSave {
  state = $state.raw<WriteState>({ kind: 'idle' });
  #running = 0;

  async run(action: () => Promise<unknown>): Promise<boolean> {
    this.#running++;
    this.state = { kind: 'saving' };
    try {
      await action();
      this.#running--;
      if (this.#running === 0) this.state = { kind: 'saved' };
      return true;
    } catch (error) {
      this.#running--;
      this.state = { kind: 'error', error };
      return false;
    }
  }

  get busy(): boolean {
    return this.state.kind === 'saving';
  }

  get message(): string | null {
    return messageOf(this.state);
  }

  get failed(): boolean {
    return this.state.kind === 'error';
  }
}

function messageOf(state: WriteState): string | null {
  switch (state.kind) {
    case 'idle':
      return null;
    case 'saving':
      return 'Saving…';
    case 'saved':
      return 'Saved on this device';
    case 'error':
      return writeErrorMessage(state.error);
  }
}
