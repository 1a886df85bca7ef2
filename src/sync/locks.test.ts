import { describe, expect, it } from 'vitest';
import { createMemoryLocks } from './locks.ts';
import type { LocksLike } from './locks.ts';

describe('locks (SY1)', () => {
  it('SY1: the in-memory lock runs holders one at a time, in request order', async () => {
    const locks = createMemoryLocks();
    const log: string[] = [];
    let inside = 0;
    let maxInside = 0;
    const hold = (name: string) =>
      locks.request('outpost-sync', { mode: 'exclusive' }, async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        log.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, 1));
        log.push(`end ${name}`);
        inside--;
        return name;
      });
    expect(await Promise.all([hold('a'), hold('b'), hold('c')])).toEqual(['a', 'b', 'c']);
    expect(maxInside).toBe(1);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('SY1: a failing holder releases the lock; ifAvailable gets null while held', async () => {
    const locks = createMemoryLocks();
    await expect(locks.request('x', {}, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    let release!: () => void;
    const held = locks.request('x', {}, () => new Promise<void>((r) => (release = r)));
    await Promise.resolve();
    expect(await locks.request('x', { ifAvailable: true }, async (lock) => lock)).toBeNull();
    release();
    await held;
    expect(await locks.request('x', { ifAvailable: true }, async (lock) => lock?.name)).toBe('x');
  });

  it('navigator.locks fits LocksLike', () => {
    const check = (manager: LockManager): LocksLike => manager;
    expect(typeof check).toBe('function');
  });
});
