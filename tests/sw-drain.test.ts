/**
 * sw/drain.ts in Node: the service worker's drain on the real engine, a fake server and fake-indexeddb.
 * SY3 (the `sync` event drains), SY4 (a transient failure makes the sync event fail so the browser retries),
 * PU7 (pauses resolve and keep every row), VR2 (an older worker stops using the database for good).
 */
import { describe, expect, it } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { DB_VERSION, openOutpostDb } from '../src/data/db.ts';
import type { OutpostDb } from '../src/data/db.ts';
import { countByState } from '../src/data/outbox.ts';
import { testClock, uuidSequence } from '../src/data/testing.ts';
import { openDataContext, recordPunch } from '../src/data/write.ts';
import { createSyncEngine } from '../src/sync/engine.ts';
import type { SyncEngine } from '../src/sync/engine.ts';
import { createMemoryLocks } from '../src/sync/locks.ts';
import { createFakeServer } from '../src/sync/testing/fake-server.ts';
import type { FakeServer } from '../src/sync/testing/fake-server.ts';
import { createFakeTimers } from '../src/sync/testing/fake-timers.ts';
import { createReconciler } from '../src/worker/reconciler.ts';
import { SyncRetryLaterError, createServiceWorkerDrain } from '../sw/drain.ts';

function setUp(server: FakeServer) {
  const factory = new IDBFactory();
  const clock = testClock();
  const locks = createMemoryLocks();
  let opened = 0;
  let engines = 0;
  const open = (): OutpostDb => openOutpostDb('outpost', { indexedDB: factory, IDBKeyRange });
  const drain = createServiceWorkerDrain({
    openDb: () => {
      opened++;
      return open();
    },
    createEngine: (db): SyncEngine => {
      engines++;
      return createSyncEngine({
        db,
        transport: server.transport,
        reconciler: createReconciler(db, { now: clock.now }),
        locks,
        clock,
        timers: createFakeTimers(clock),
        random: () => 0.5,
      });
    },
  });
  return { factory, clock, drain, page: open(), counts: () => ({ opened, engines }) };
}

async function punch(db: OutpostDb, clock: { now: () => number }): Promise<void> {
  const ctx = await openDataContext({ db, userId: 'user-1', now: clock.now, elapsedMs: () => 10, bootId: 'boot-1', uuid: uuidSequence() });
  await recordPunch(ctx, { kind: 'clock_in', location: null, offline: true });
}

describe('the service worker drain (sw/drain.ts)', () => {
  it('SY3 / SW2: a sync event sends what the page queued, once, with one engine per worker lifetime', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const { drain, page, clock, counts } = setUp(server);
    await punch(page, clock);
    await punch(page, clock);

    expect(await drain.drain()).toMatchObject({ outcome: 'synced', pushed: 2 });
    expect(await countByState(page)).toMatchObject({ pending: 0, sending: 0, acked: 0 });
    expect([...server.applied.values()].every((n) => n === 1)).toBe(true);

    await punch(page, clock);
    expect(await drain.drain()).toMatchObject({ outcome: 'synced', pushed: 1 });
    expect(counts()).toEqual({ opened: 1, engines: 1 });
  });

  it('SY4 / SW3: a transient failure rejects (the browser retries the sync) and keeps the rows pending', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const { drain, page, clock } = setUp(server);
    await punch(page, clock);
    server.script.push.push({ kind: 'transient', reason: 'The server answered 500.' });
    const failure = await drain.drain().then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SyncRetryLaterError);
    expect((failure as SyncRetryLaterError).outcome).toBe('backoff');
    expect((failure as Error).message).toContain('The server answered 500.');
    expect(await countByState(page)).toMatchObject({ pending: 1, sending: 0 });

    // the browser's retry: urgent, so it does not wait for the engine's own backoff timer (SY4)
    expect(await drain.drain()).toMatchObject({ outcome: 'synced', pushed: 1 });
    expect([...server.applied.values()]).toEqual([1]);
  });

  it('SY4: an answer lost after the server applied it is resent and applied once (PU3)', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const { drain, page, clock } = setUp(server);
    await punch(page, clock);
    server.script.push.push({ kind: 'lose-answer' });
    await expect(drain.drain()).rejects.toMatchObject({ outcome: 'offline' });
    expect(await drain.drain()).toMatchObject({ outcome: 'synced' });
    expect([...server.applied.values()]).toEqual([1]);
    expect(await countByState(page)).toMatchObject({ pending: 0, sending: 0 });
  });

  it('PU7 / contract 8: signed-out and update-required resolve (no retry can help), keep every row, and the next sync tries again', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const { drain, page, clock } = setUp(server);
    await punch(page, clock);
    server.script.push.push({ kind: 'auth', reason: 'Your session expired. Sign in again.' });
    expect(await drain.drain()).toMatchObject({ outcome: 'signed-out' });
    expect(await countByState(page)).toMatchObject({ pending: 1 });

    server.script.push.push({ kind: 'too-old', message: 'Update Outpost to keep syncing.' });
    expect(await drain.drain()).toMatchObject({ outcome: 'update-required' });
    expect(await countByState(page)).toMatchObject({ pending: 1 });

    server.script.push.push({ kind: 'rejected', status: 400, message: 'changes.0: unknown field' });
    expect(await drain.drain()).toMatchObject({ outcome: 'rejected' });
    expect(await countByState(page)).toMatchObject({ pending: 1 });

    expect(await drain.drain()).toMatchObject({ outcome: 'synced', pushed: 1 });
    expect([...server.applied.values()]).toEqual([1]);
  });

  it('VR2 / SW4: once a newer schema opens, the worker stops using the database for good', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const { drain, page, clock, factory, counts } = setUp(server);
    await punch(page, clock);
    expect(await drain.drain()).toMatchObject({ outcome: 'synced' });
    page.close();

    // Another context opens the next schema version (raw IndexedDB: the upgrade this build does not know).
    await new Promise<void>((resolve, reject) => {
      const request = factory.open('outpost', DB_VERSION * 10 + 1);
      request.onsuccess = () => {
        request.result.close();
        resolve();
      };
      request.onerror = () => reject(request.error);
    });
    expect(drain.retired).toBe(true);
    expect(await drain.drain()).toMatchObject({ outcome: 'retired', pushed: 0 });
    expect(counts()).toEqual({ opened: 1, engines: 1 });
  });
});
