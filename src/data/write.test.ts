import { describe, expect, it } from 'vitest';
import type { DBCore, DBCoreMutateRequest, DBCoreMutateResponse } from 'dexie';
import Dexie from 'dexie';
import { HLC_PATTERN, compareHlc } from '../../protocol/index.ts';
import type { OutpostDb } from './db.ts';
import { ChangeRefusedError, InvalidChangeError, StorageFullError, WriteFailedError } from './errors.ts';
import { getMeta } from './meta.ts';
import { JOB_FIELDS, freshDb, serverState, testContext, uuidSequence } from './testing.ts';
import {
  createJob,
  openDataContext,
  recordPunch,
  saveReportNotes,
  setChecklistItem,
  setJobStatus,
  setMeasurement,
  updateJob,
} from './write.ts';

async function seedJob(db: OutpostDb, id: string, version = 3, fields: Record<string, unknown> = JOB_FIELDS): Promise<void> {
  await db.base.put(serverState('job', id, version, fields));
  await db.jobs.put({ id, version, deleted: false, ...JOB_FIELDS, ...fields } as never);
}

/** A DBCore middleware that makes mutations of one table fail with `error` while `armed.on`. */
function failOn(db: OutpostDb, table: string, error: () => unknown, armed = { on: true }) {
  db.use({
    stack: 'dbcore',
    name: `fail-${table}`,
    create: (down: DBCore): DBCore => ({
      ...down,
      table: (name) => {
        const t = down.table(name);
        if (name !== table) return t;
        return {
          ...t,
          mutate: (req: DBCoreMutateRequest): Promise<DBCoreMutateResponse> => (armed.on ? Promise.reject(error()) : t.mutate(req)),
        };
      },
    }),
  });
  return armed;
}

describe('write functions (OB1, OB2)', () => {
  it('OB1: setJobStatus commits the visible record and one outbox row together', async () => {
    const { db } = freshDb();
    await seedJob(db, 'job-1');
    const ctx = testContext(db);
    const result = await setJobStatus(ctx, 'job-1', 'in_progress');
    expect((await db.jobs.get('job-1'))?.status).toBe('in_progress');
    const rows = await db.outbox.toArray();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      changeId: result.changeId,
      entity: 'job',
      entityId: 'job-1',
      op: 'update',
      fields: { status: 'in_progress' },
      state: 'pending',
      attempts: 0,
      lastError: null,
      baseVersion: 3,
      deviceId: 'device-a',
    });
  });

  it('OB1: when the outbox add fails (duplicate change id) the visible table is unchanged', async () => {
    const { db } = freshDb();
    await seedJob(db, 'job-1');
    await seedJob(db, 'job-2');
    const ctx = testContext(db, { uuid: () => '00000000-0000-4000-8000-000000000001' });
    await setJobStatus(ctx, 'job-1', 'in_progress');
    const hlcBefore = await getMeta(db, 'hlc');
    await expect(setJobStatus(ctx, 'job-2', 'done')).rejects.toBeInstanceOf(WriteFailedError);
    expect((await db.jobs.get('job-2'))?.status).toBe('scheduled');
    expect(await db.outbox.count()).toBe(1);
    expect(await getMeta(db, 'hlc')).toBe(hlcBefore);
  });

  it('OB1: when the outbox write throws, no write function leaves a visible change', async () => {
    const { db } = freshDb();
    const armed = failOn(db, 'outbox', () => new Error('disk said no'), { on: false });
    await seedJob(db, 'job-1');
    const ctx = testContext(db);
    await saveReportNotes(ctx, 'job-1', 'first');
    armed.on = true;
    const before = {
      jobs: await db.jobs.toArray(),
      reports: await db.reports.toArray(),
      punches: await db.punches.toArray(),
      outbox: await db.outbox.toArray(),
    };
    const attempts = [
      () => setJobStatus(ctx, 'job-1', 'done'),
      () => updateJob(ctx, 'job-1', { title: 'New title' }),
      () => createJob(ctx, { title: 'New', scheduledFor: '2025-06-02' }),
      () => saveReportNotes(ctx, 'job-1', 'second'),
      () => setChecklistItem(ctx, 'job-1', 'valve', { label: 'Valve', done: true }),
      () => setMeasurement(ctx, 'job-1', 'psi', { label: 'Pressure', value: 3, unit: 'bar' }),
      () => recordPunch(ctx, { kind: 'clock_in', location: null }),
    ];
    for (const attempt of attempts) await expect(attempt()).rejects.toBeInstanceOf(WriteFailedError);
    armed.on = false;
    expect({
      jobs: await db.jobs.toArray(),
      reports: await db.reports.toArray(),
      punches: await db.punches.toArray(),
      outbox: await db.outbox.toArray(),
    }).toEqual(before);
  });

  it('OB5: a second edit folds into the unsent pending row, keeping the latest value per field and the new HLC', async () => {
    const { db } = freshDb();
    await seedJob(db, 'job-1');
    const ctx = testContext(db);
    const first = await updateJob(ctx, 'job-1', { title: 'A', site: 'S1' });
    const second = await updateJob(ctx, 'job-1', { title: 'B' });
    expect(second.folded).toBe(true);
    expect(second.changeId).toBe(first.changeId);
    const rows = await db.outbox.toArray();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.fields).toEqual({ title: 'B', site: 'S1' });
    expect(rows[0]?.hlc).toBe(second.hlc);
    expect(compareHlc(second.hlc, first.hlc)).toBeGreaterThan(0);
    expect(await db.jobs.get('job-1')).toMatchObject({ title: 'B', site: 'S1' });
  });

  it('OB5: a row that was ever sent (attempts > 0) or is not pending is never altered', async () => {
    const { db } = freshDb();
    await seedJob(db, 'job-1');
    const ctx = testContext(db);
    const first = await updateJob(ctx, 'job-1', { title: 'A' });
    const row = await db.outbox.where('changeId').equals(first.changeId).first();
    await db.outbox.put({ ...row!, attempts: 1 }); // sent once, released back to pending
    const second = await updateJob(ctx, 'job-1', { title: 'B' });
    expect(second.folded).toBe(false);
    await db.outbox.where('changeId').equals(second.changeId).modify({ state: 'sending' });
    const third = await updateJob(ctx, 'job-1', { title: 'C' });
    expect(third.folded).toBe(false);
    const rows = await db.outbox.orderBy('seq').toArray();
    expect(rows.map((r) => r.fields.title)).toEqual(['A', 'B', 'C']);
    expect(await db.jobs.get('job-1')).toMatchObject({ title: 'C' });
  });

  it('OB5: no folding across a newer base version (the edit was made on another server state)', async () => {
    const { db } = freshDb();
    await seedJob(db, 'job-1', 3);
    const ctx = testContext(db);
    await updateJob(ctx, 'job-1', { title: 'A' });
    await db.base.put(serverState('job', 'job-1', 5, { ...JOB_FIELDS, site: 'moved' }));
    const second = await updateJob(ctx, 'job-1', { title: 'B' });
    expect(second.folded).toBe(false);
    const rows = await db.outbox.orderBy('seq').toArray();
    expect(rows.map((r) => r.baseVersion)).toEqual([3, 5]);
  });

  it('baseVersion comes from the base table, never the visible record', async () => {
    const { db } = freshDb();
    await seedJob(db, 'job-1', 7);
    await db.jobs.update('job-1', { version: 42 });
    const ctx = testContext(db);
    await setJobStatus(ctx, 'job-1', 'in_progress');
    expect((await db.outbox.toArray())[0]?.baseVersion).toBe(7);
    const job = await createJob(ctx, { title: 'New', scheduledFor: '2025-06-02' });
    expect((await db.outbox.where('changeId').equals(job.changeId).first())?.baseVersion).toBe(0);
  });

  it('SY6: every write ticks the HLC kept in meta', async () => {
    const { db } = freshDb();
    await seedJob(db, 'job-1');
    const ctx = testContext(db, { now: () => 1_000 }); // a frozen clock still orders writes
    const a = await saveReportNotes(ctx, 'job-1', 'one');
    const b = await setChecklistItem(ctx, 'job-1', 'x', { label: 'X', done: false });
    expect(a.hlc).toMatch(HLC_PATTERN);
    expect(compareHlc(b.hlc, a.hlc)).toBeGreaterThan(0);
    expect(await getMeta(db, 'hlc')).toBe(b.hlc);
  });

  it('reports: the first write creates the report with jobId, later ones update it', async () => {
    const { db } = freshDb();
    await seedJob(db, 'job-1');
    const ctx = testContext(db);
    await saveReportNotes(ctx, 'job-1', 'Arrived');
    await db.outbox.toCollection().modify({ state: 'sending', attempts: 1 }); // no folding from here on
    await setChecklistItem(ctx, 'job-1', 'valve', { label: 'Valve closed', done: true });
    await setMeasurement(ctx, 'job-1', 'psi', { label: 'Pressure', value: 2.5, unit: 'bar' });
    const rows = await db.outbox.orderBy('seq').toArray();
    expect(rows.map((r) => r.op)).toEqual(['create', 'update']);
    expect(rows[0]?.fields).toEqual({ jobId: 'job-1', notes: 'Arrived' });
    expect(rows[1]?.fields).toEqual({
      'checklist.valve': { label: 'Valve closed', done: true },
      'measurements.psi': { label: 'Pressure', value: 2.5, unit: 'bar' },
    });
    expect(await db.reports.get('job-1')).toMatchObject({
      jobId: 'job-1',
      notes: 'Arrived',
      checklist: { valve: { label: 'Valve closed', done: true } },
      measurements: { psi: { label: 'Pressure', value: 2.5, unit: 'bar' } },
    });
    await setChecklistItem(ctx, 'job-1', 'valve', null);
    expect((await db.reports.get('job-1'))?.checklist).toEqual({});
  });

  it('reports: a report the base already has is updated, and a refused create is created again', async () => {
    const { db } = freshDb();
    await db.base.put(serverState('report', 'job-1', 2, { jobId: 'job-1', notes: 'server' }));
    const ctx = testContext(db);
    await saveReportNotes(ctx, 'job-1', 'mine');
    expect((await db.outbox.toArray())[0]?.op).toBe('update');

    const { db: db2 } = freshDb();
    const ctx2 = testContext(db2);
    await saveReportNotes(ctx2, 'job-9', 'one');
    await db2.outbox.toCollection().modify({ state: 'refused', attempts: 1 });
    await saveReportNotes(ctx2, 'job-9', 'two');
    const rows = await db2.outbox.orderBy('seq').toArray();
    expect(rows.map((r) => r.op)).toEqual(['create', 'create']);
  });

  it('CF3: recordPunch appends a punch with flags, device times and boot id', async () => {
    const { db } = freshDb();
    const ctx = testContext(db, { now: () => 5_000_000, elapsedMs: () => 777, bootId: 'boot-9', userId: 'user-7' });
    const a = await recordPunch(ctx, { kind: 'clock_in', location: { lat: 1, lng: 2, accuracyM: 5 } });
    const b = await recordPunch(ctx, { kind: 'clock_out', location: null, at: 4_000_000, correctionReason: 'Forgot to clock out', offline: true });
    expect(a.entityId).not.toBe(b.entityId);
    expect(await db.punches.get(a.entityId)).toMatchObject({
      userId: 'user-7',
      kind: 'clock_in',
      at: 5_000_000,
      recordedAt: 5_000_000,
      elapsedMs: 777,
      bootId: 'boot-9',
      flags: [],
      correctionReason: null,
    });
    expect(await db.punches.get(b.entityId)).toMatchObject({
      at: 4_000_000,
      recordedAt: 5_000_000,
      location: null,
      flags: ['no_location', 'offline', 'correction'],
      correctionReason: 'Forgot to clock out',
    });
    const rows = await db.outbox.orderBy('seq').toArray();
    expect(rows.map((r) => r.op)).toEqual(['create', 'create']);
  });

  it('createJob fills every field and the job is visible at once', async () => {
    const { db } = freshDb();
    const ctx = testContext(db);
    const r = await createJob(ctx, { title: 'Install meter', scheduledFor: '2025-07-01', assigneeId: 'user-2' });
    expect(await db.jobs.get(r.entityId)).toMatchObject({ title: 'Install meter', site: '', status: 'scheduled', assigneeId: 'user-2', version: 1 });
    expect(await db.jobs.where('assigneeId').equals('user-2').count()).toBe(1);
  });

  it('invalid edits and edits the merge rules refuse are rejected and save nothing', async () => {
    const { db } = freshDb();
    const ctx = testContext(db);
    await expect(createJob(ctx, { title: '', scheduledFor: 'tomorrow' })).rejects.toBeInstanceOf(InvalidChangeError);
    await expect(setJobStatus(ctx, 'missing-job', 'done')).rejects.toBeInstanceOf(ChangeRefusedError);
    expect(await db.outbox.count()).toBe(0);
    expect(await db.jobs.count()).toBe(0);
  });

  it('OB6: QuotaExceededError rejects with StorageFullError and nothing is stored', async () => {
    const { db } = freshDb();
    const armed = failOn(db, 'outbox', () => new DOMException('The quota has been exceeded.', 'QuotaExceededError'), { on: false });
    await seedJob(db, 'job-1');
    armed.on = true;
    const ctx = testContext(db);
    const err = await saveReportNotes(ctx, 'job-1', 'lost?').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageFullError);
    expect((err as Error).message).toMatch(/out of storage space.*not saved/);
    expect(await db.reports.count()).toBe(0);
    expect(await db.outbox.count()).toBe(0);
  });

  it('OB6: an AbortError carrying a QuotaExceededError also rejects with StorageFullError', async () => {
    const { db } = freshDb();
    const armed = failOn(
      db,
      'jobs',
      () => {
        const abort = new Dexie.AbortError('Transaction aborted');
        (abort as unknown as { inner: unknown }).inner = new DOMException('full', 'QuotaExceededError');
        return abort;
      },
      { on: false },
    );
    await seedJob(db, 'job-1');
    armed.on = true;
    const ctx = testContext(db);
    await expect(setJobStatus(ctx, 'job-1', 'done')).rejects.toBeInstanceOf(StorageFullError);
    expect(await db.outbox.count()).toBe(0);
  });

  it('openDataContext creates the device id once', async () => {
    const { db } = freshDb();
    const uuid = uuidSequence();
    const a = await openDataContext({ db, userId: 'u', now: () => 1, elapsedMs: () => 0, bootId: 'b', uuid });
    const b = await openDataContext({ db, userId: 'u', now: () => 1, elapsedMs: () => 0, bootId: 'b', uuid });
    expect(a.deviceId).toBe(b.deviceId);
    expect(await getMeta(db, 'deviceId')).toBe(a.deviceId);
  });
});
