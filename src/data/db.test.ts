import Dexie from 'dexie';
import { IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { DB_VERSION, SCHEMA_V1, openOutpostDb } from './db.ts';
import { ReloadRequiredError } from './errors.ts';
import { freshDb, testContext } from './testing.ts';
import { setJobStatus } from './write.ts';

describe('local schema (VR2)', () => {
  it('VR2: declares the tables and indexes the app queries', async () => {
    const { db } = freshDb();
    await db.open();
    const names = db.tables.map((t) => t.name).sort();
    expect(names).toEqual(['base', 'jobs', 'meta', 'outbox', 'punches', 'reports', 'syncLog']);
    expect(db.verno).toBe(DB_VERSION);
    expect(db.syncLog.schema.primKey.auto).toBe(true);
    expect(db.syncLog.schema.indexes.map((i) => i.name)).toEqual(['at']);
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

  it('VR2: a version 1 database with queued changes opens at version 2 with its outbox, data and meta intact', async () => {
    const factory = new IDBFactory();
    // The app as it was before the diagnostics page: schema version 1 only.
    const v1 = new Dexie('outpost-v1', { indexedDB: factory, IDBKeyRange });
    v1.version(1).stores(SCHEMA_V1);
    await v1.table('jobs').put({ id: 'job-1', title: 'Fix the pump' });
    await v1.table('meta').bulkPut([
      { key: 'deviceId', value: 'device-a' },
      { key: 'cursor', value: '42' },
    ]);
    const queued = [1, 2, 3].map((n) => ({
      changeId: `00000000-0000-4000-8000-00000000000${n}`,
      deviceId: 'device-a',
      entity: 'job',
      entityId: 'job-1',
      op: 'update',
      fields: { title: `title ${n}` },
      hlc: `1700000000000-000${n}-device-a`,
      baseVersion: 1,
      payloadVersion: 1,
      state: n === 3 ? 'refused' : 'pending',
      attempts: n === 3 ? 1 : 0,
      lastError: n === 3 ? 'Refused (forbidden)' : null,
      createdAt: 1_700_000_000_000 + n,
      updatedAt: 1_700_000_000_000 + n,
      receipt: null,
    }));
    await v1.table('outbox').bulkAdd(queued);
    const before = await v1.table('outbox').toArray();
    expect(v1.verno).toBe(1);
    v1.close(); // the old app is gone (an open old tab closes for good: the test above)

    // The new code opens the same database: version 2 adds only `syncLog`.
    const db = openOutpostDb('outpost-v1', { indexedDB: factory, IDBKeyRange });
    await db.open();
    expect(db.verno).toBe(2);
    expect(await db.outbox.orderBy('seq').toArray()).toEqual(before);
    expect((await db.outbox.where('state').equals('pending').toArray()).map((r) => r.changeId)).toEqual(queued.slice(0, 2).map((r) => r.changeId));
    expect(await db.outbox.where('changeId').equals(queued[2]!.changeId).first()).toMatchObject({ state: 'refused', lastError: 'Refused (forbidden)' });
    expect(await db.jobs.get('job-1')).toMatchObject({ title: 'Fix the pump' });
    expect(await db.meta.get('cursor')).toEqual({ key: 'cursor', value: '42' });
    expect(await db.syncLog.count()).toBe(0);
    // A new change after the upgrade is queued after the old ones.
    const ctx = testContext(db, { deviceId: 'device-a' });
    await db.base.put({ entity: 'job', entityId: 'job-1', version: 1, deleted: false, fields: { title: 'Fix the pump', site: 'x', details: '', scheduledFor: '2025-06-01', assigneeId: 'user-1', status: 'scheduled' }, clocks: {} });
    await setJobStatus(ctx, 'job-1', 'done');
    const rows = await db.outbox.orderBy('seq').toArray();
    expect(rows).toHaveLength(4);
    expect(rows.at(-1)).toMatchObject({ entity: 'job', entityId: 'job-1', state: 'pending', fields: { status: 'done' } });
    expect(rows.at(-1)!.seq).toBeGreaterThan(before.at(-1)!.seq as number);
    db.close();
  });
});
