import { describe, expect, it } from 'vitest';
import { compareHlc } from '../../protocol/index.ts';
import type { AppliedReceipt, ChangeId } from '../../protocol/index.ts';
import type { OutpostDb } from './db.ts';
import { OutboxRowError } from './errors.ts';
import {
  countByState,
  discard,
  listPending,
  listUnsent,
  pruneAcked,
  release,
  resetSending,
  retryRefused,
  settle,
  takeBatch,
  unsend,
} from './outbox.ts';
import { getMeta, setMeta } from './meta.ts';
import { JOB_FIELDS, freshDb, serverState, testContext } from './testing.ts';
import type { DataContext } from './write.ts';
import { saveReportNotes, setJobStatus, updateJob } from './write.ts';

async function setup(): Promise<{ db: OutpostDb; ctx: DataContext }> {
  const { db } = freshDb();
  await db.base.put(serverState('job', 'job-1', 3, JOB_FIELDS));
  await db.base.put(serverState('job', 'job-2', 1, JOB_FIELDS));
  await db.jobs.bulkPut([
    { id: 'job-1', version: 3, deleted: false, ...JOB_FIELDS },
    { id: 'job-2', version: 1, deleted: false, ...JOB_FIELDS },
  ]);
  return { db, ctx: testContext(db) };
}

const applied = (changeId: ChangeId, version: number): AppliedReceipt => ({ changeId, status: 'applied', version, seq: version, superseded: [] });

describe('outbox (OB3, OB4, OB7)', () => {
  it('OB3: takeBatch marks the oldest pending rows sending and counts the attempt, in order', async () => {
    const { db, ctx } = await setup();
    await updateJob(ctx, 'job-1', { title: 'one' });
    await updateJob(ctx, 'job-2', { title: 'two' });
    await saveReportNotes(ctx, 'job-1', 'three');
    const batch = await takeBatch(db, 2, 99);
    expect(batch.map((r) => r.fields)).toEqual([{ title: 'one' }, { title: 'two' }]);
    expect(batch.every((r) => r.state === 'sending' && r.attempts === 1 && r.updatedAt === 99)).toBe(true);
    expect(await countByState(db)).toEqual({ pending: 1, sending: 2, acked: 0, refused: 0, conflict: 0 });
    expect((await listPending(db)).map((r) => r.entity)).toEqual(['report']);
  });

  it('OB3 / PU7: settle moves each row by its receipt; a duplicate takes its original state', async () => {
    const { db, ctx } = await setup();
    const a = await updateJob(ctx, 'job-1', { title: 'one' });
    const b = await setJobStatus(ctx, 'job-2', 'done');
    const c = await saveReportNotes(ctx, 'job-1', 'notes');
    const d = await saveReportNotes(ctx, 'job-2', 'more');
    await takeBatch(db, 10, 1);
    const summary = await settle(
      db,
      [
        applied(a.changeId, 4),
        { changeId: b.changeId, status: 'conflict', version: 2, seq: 9, conflictId: 'c1', fields: [{ field: 'status', serverValue: 'cancelled', clientValue: 'done' }], reason: 'Changed by someone else.' },
        { changeId: c.changeId, status: 'refused', code: 'forbidden', reason: 'You may not edit this report.' },
        { changeId: d.changeId, status: 'duplicate', original: applied(d.changeId, 1) },
      ],
      2,
    );
    expect(summary).toMatchObject({ acked: 2, refused: 1, conflict: 1, ignored: 0 });
    const rows = await db.outbox.orderBy('seq').toArray();
    expect(rows.map((r) => r.state)).toEqual(['acked', 'conflict', 'refused', 'acked']);
    expect(rows[1]?.receipt).toMatchObject({ status: 'conflict', fields: [{ field: 'status' }] });
    expect(rows[2]?.lastError).toContain('You may not edit this report.');
    expect(rows[2]?.receipt).toMatchObject({ code: 'forbidden' });
    expect(rows[3]?.receipt).toMatchObject({ status: 'applied', version: 1 });
    // RC2: the conflicting and refused edits are no longer shown.
    expect((await db.jobs.get('job-2'))?.status).toBe('scheduled');
    expect(await db.reports.get('job-1')).toBeUndefined();
    // The acked edit stays visible until the base catches up.
    expect((await db.jobs.get('job-1'))?.title).toBe('one');
  });

  it('OB3: release puts sending rows back to pending with the error; settled rows are untouched', async () => {
    const { db, ctx } = await setup();
    await updateJob(ctx, 'job-1', { title: 'one' });
    await updateJob(ctx, 'job-2', { title: 'two' });
    const batch = await takeBatch(db, 10, 1);
    await settle(db, [applied(batch[0]!.changeId, 4)], 2);
    expect(await release(db, batch, 'The server could not be reached.', 3)).toBe(1);
    const rows = await db.outbox.orderBy('seq').toArray();
    expect(rows.map((r) => [r.state, r.lastError, r.attempts])).toEqual([
      ['acked', null, 1],
      ['pending', 'The server could not be reached.', 1],
    ]);
  });

  it('PU7 / SY6: settle finds the sent rows by seq, still answers a receipt for a row it was not given, and merges the server clock in the same transaction', async () => {
    const { db, ctx } = await setup();
    const a = await updateJob(ctx, 'job-1', { title: 'one' });
    const b = await updateJob(ctx, 'job-2', { title: 'two' });
    const batch = await takeBatch(db, 10, 1);
    await setMeta(db, 'deviceId', 'device-a');
    const summary = await settle(db, [applied(a.changeId, 4), applied(b.changeId, 2)], 2, {
      sent: batch.slice(0, 1), // b's receipt is looked up by its change id
      serverHlc: '2100000000000-0000-server',
    });
    expect(summary).toMatchObject({ acked: 2, ignored: 0 });
    expect((await db.outbox.orderBy('seq').toArray()).map((r) => [r.state, r.receipt?.status])).toEqual([
      ['acked', 'applied'],
      ['acked', 'applied'],
    ]);
    expect(compareHlc((await getMeta(db, 'hlc')) ?? '', '2100000000000-0000-server')).toBeGreaterThan(0);
  });

  it('PU7: settle ignores a sent row that is no longer the one sent (another change id at that seq)', async () => {
    const { db, ctx } = await setup();
    const a = await updateJob(ctx, 'job-1', { title: 'one' });
    const [row] = await takeBatch(db, 10, 1);
    const summary = await settle(db, [applied(a.changeId, 4)], 2, { sent: [{ seq: row!.seq, changeId: '00000000-0000-4000-8000-00000000beef' as ChangeId }] });
    // The seq did not hold the sent change, so the receipt was matched by id instead: still settled.
    expect(summary).toMatchObject({ acked: 1, ignored: 0 });
    expect(await countByState(db)).toMatchObject({ acked: 1, sending: 0 });
  });

  it('OB3 / OB5: unsend returns rows taken ahead of a push that never left, uncounted, so they stay foldable', async () => {
    const { db, ctx } = await setup();
    await saveReportNotes(ctx, 'job-1', 'draft');
    await updateJob(ctx, 'job-2', { title: 'two' });
    const batch = await takeBatch(db, 10, 1);
    await settle(db, [applied(batch[1]!.changeId, 2)], 2);
    expect(await unsend(db, batch, 3)).toBe(1); // the settled row is left alone
    const rows = await db.outbox.orderBy('seq').toArray();
    expect(rows.map((r) => [r.state, r.attempts, r.lastError])).toEqual([
      ['pending', 0, null],
      ['acked', 1, null],
    ]);
    // OB5: never sent, so the next edit of the report folds into it.
    await saveReportNotes(ctx, 'job-1', 'draft, then more');
    expect(await db.outbox.where('entity').equals('report').count()).toBe(1);
    expect((await db.outbox.orderBy('seq').first())?.fields).toMatchObject({ notes: 'draft, then more' });
  });

  it('OB4: sending rows left by a killed context return to pending', async () => {
    const { db, ctx } = await setup();
    await updateJob(ctx, 'job-1', { title: 'one' });
    await updateJob(ctx, 'job-2', { title: 'two' });
    await takeBatch(db, 10, 1); // ...and the context dies mid-push
    expect(await resetSending(db, 5)).toBe(2);
    expect(await countByState(db)).toMatchObject({ pending: 2, sending: 0 });
    expect((await listPending(db)).map((r) => r.attempts)).toEqual([1, 1]);
  });

  it('OB7: retryRefused re-queues the same intent as a NEW change id, on the current base', async () => {
    const { db, ctx } = await setup();
    const a = await updateJob(ctx, 'job-1', { title: 'one' });
    await takeBatch(db, 10, 1);
    await settle(db, [{ changeId: a.changeId, status: 'refused', code: 'forbidden', reason: 'no' }], 2);
    expect((await db.jobs.get('job-1'))?.title).toBe(JOB_FIELDS.title);
    await db.base.put(serverState('job', 'job-1', 6, JOB_FIELDS));
    const newId = await retryRefused(ctx, a.changeId);
    expect(newId).not.toBe(a.changeId);
    const rows = await db.outbox.toArray();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ changeId: newId, state: 'pending', attempts: 0, op: 'update', fields: { title: 'one' }, baseVersion: 6 });
    expect((await db.jobs.get('job-1'))?.title).toBe('one');
  });

  it('OB7: retrying a conflict resends only the conflicting fields', async () => {
    const { db, ctx } = await setup();
    const a = await updateJob(ctx, 'job-1', { title: 'one', status: 'done' });
    await takeBatch(db, 10, 1);
    await settle(db, [{ changeId: a.changeId, status: 'conflict', version: 4, seq: 4, conflictId: 'c', fields: [{ field: 'status', serverValue: 'cancelled', clientValue: 'done' }], reason: 'r' }], 2);
    const newId = await retryRefused(ctx, a.changeId);
    expect((await db.outbox.where('changeId').equals(newId).first())?.fields).toEqual({ status: 'done' });
  });

  it('OB7: discard removes a refused row and the visible record is rebased without it', async () => {
    const { db, ctx } = await setup();
    const a = await saveReportNotes(ctx, 'job-1', 'draft');
    expect(await db.reports.get('job-1')).toBeDefined();
    await takeBatch(db, 10, 1);
    await settle(db, [{ changeId: a.changeId, status: 'refused', code: 'forbidden', reason: 'no' }], 2);
    // RC2: a refused change is not replayed: the report it would have created is not shown.
    expect(await db.reports.get('job-1')).toBeUndefined();
    await discard(db, a.changeId);
    expect(await db.outbox.count()).toBe(0);
    expect(await db.reports.get('job-1')).toBeUndefined();
  });

  it('OB7: only refused or conflicting rows can be retried or discarded', async () => {
    const { db, ctx } = await setup();
    const a = await updateJob(ctx, 'job-1', { title: 'one' });
    await expect(discard(db, a.changeId)).rejects.toBeInstanceOf(OutboxRowError);
    await expect(retryRefused(ctx, a.changeId)).rejects.toBeInstanceOf(OutboxRowError);
    await expect(discard(db, '00000000-0000-4000-8000-00000000dead')).rejects.toBeInstanceOf(OutboxRowError);
    expect(await db.outbox.count()).toBe(1);
  });

  it('OB7: pruneAcked removes acked rows only once the base reached their version', async () => {
    const { db, ctx } = await setup();
    const a = await updateJob(ctx, 'job-1', { title: 'one' });
    const b = await updateJob(ctx, 'job-2', { title: 'two' });
    await takeBatch(db, 10, 1);
    await settle(db, [applied(a.changeId, 4), applied(b.changeId, 2)], 2);
    await db.base.put(serverState('job', 'job-1', 4, { ...JOB_FIELDS, title: 'one' }));
    expect(await pruneAcked(db)).toBe(1);
    expect((await db.outbox.toArray()).map((r) => r.changeId)).toEqual([b.changeId]);
    expect((await listUnsent(db)).length).toBe(0);
  });
});
