/** Manually driven timers for engine tests: no real time passes, no timing assertions (test support). */
import type { TimersLike } from '../timers.ts';

export interface FakeTimers extends TimersLike {
  /** Scheduled callbacks, soonest first. */
  pending(): { id: number; at: number }[];
  /** Jump the clock to the soonest timer and run it; false when none. */
  runNext(): boolean;
  /** The clock the timers use. */
  now(): number;
}

export function createFakeTimers(clock: { t: number }): FakeTimers {
  let nextId = 1;
  const tasks = new Map<number, { at: number; fn: () => void }>();
  return {
    setTimeout(fn, ms) {
      const id = nextId++;
      tasks.set(id, { at: clock.t + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(handle) {
      tasks.delete(handle as number);
    },
    pending() {
      return [...tasks.entries()].map(([id, t]) => ({ id, at: t.at })).sort((a, b) => a.at - b.at || a.id - b.id);
    },
    runNext() {
      const first = this.pending()[0];
      if (!first) return false;
      const task = tasks.get(first.id);
      tasks.delete(first.id);
      clock.t = Math.max(clock.t, first.at);
      task?.fn();
      return true;
    },
    now: () => clock.t,
  };
}
