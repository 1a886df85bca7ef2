import Dexie from 'dexie';
import { IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import { DB_VERSION } from './db.ts';
import { ReloadRequiredError } from './errors.ts';
import { freshDb, testContext } from './testing.ts';
import { setJobStatus } from './write.ts';

describe('local schema (VR2)', () => {
  it('VR2: declares the tables and indexes the app queries', async () => {
    const { db } = freshDb();
    await db.open();
    const names = db.tables.map((t) => t.name).sort();
    expect(names).toEqual(['base', 'jobs', 'meta', 'outbox', 'punches', 'reports']);
    expect(db.jobs.schema.indexes.map((i) => i.name).sort()).toEqual(['assigneeId', 'scheduledFor', 'status']);
    expect(db.outbox.schema.primKey.auto).toBe(true);
    expect(db.outbox.schema.indexes.find((i) => i.name === 'changeId')?.unique).toBe(true);
    expect(db.base.schema.primKey.name).toBe('[entity+entityId]');
    db.close();
  });

  it('VR2: a newer version opened elsewhere closes this connection for good and notifies', async () => {
    const onVersionChange = vi.fn();
    const { db, factory } = freshDb('outpost-vr2', { onVersionChange });
    const observed = vi.fn();
    db.onVersionChange(observed);
    await db.jobs.count(); // open at the current version

    const newer = new Dexie('outpost-vr2', { indexedDB: factory, IDBKeyRange });
    newer.version(DB_VERSION + 1).stores({ jobs: 'id, assigneeId', extra: 'id' });
    await newer.open(); // would block forever if the old connection stayed open

    expect(onVersionChange).toHaveBeenCalledTimes(1);
    expect(observed).toHaveBeenCalledTimes(1);
    expect(db.closedForUpgrade).toBe(true);
    expect(db.isOpen()).toBe(false);
    // Dexie's default would silently reopen at the newer version on this query.
    await expect(db.jobs.count()).rejects.toThrow();
    expect(db.isOpen()).toBe(false);
    // Writes from the old code are refused with a reload message, never saved.
    const ctx = testContext(db);
    await expect(setJobStatus(ctx, 'job-1', 'done')).rejects.toBeInstanceOf(ReloadRequiredError);
    expect(newer.verno).toBe(DB_VERSION + 1);
    newer.close();
  });
});
