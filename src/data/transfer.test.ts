import { describe, expect, it } from 'vitest';
import type { AppliedReceipt, ChangeId } from '../../protocol/index.ts';
import { countByState, listRows, settle, takeBatch } from './outbox.ts';
import { JOB_FIELDS, freshDb, serverState, testContext } from './testing.ts';
import { ImportFileError, exportUnsent, importUnsent } from './transfer.ts';
import { recordPunch, saveReportNotes, setJobStatus } from './write.ts';

async function deviceWithJob() {
  const { db } = freshDb();
  await db.base.put(serverState('job', 'job-1', 2, JOB_FIELDS));
  await db.jobs.put({ id: 'job-1', version: 2, deleted: false, ...JOB_FIELDS });
  return { db, ctx: testContext(db) };
}

describe('export and import of unsent changes (OB8)', () => {
  it('OB8: the export holds every change not acknowledged, unchanged and in order, and survives JSON', async () => {
    const { db, ctx } = await deviceWithJob();
    await setJobStatus(ctx, 'job-1', 'in_progress');
    await recordPunch(ctx, { kind: 'clock_in', location: null });
    await saveReportNotes(ctx, 'job-1', 'Seal replaced');
    const [first] = await takeBatch(db, 1, 10);
    if (!first) throw new Error('nothing queued');
    const receipt: AppliedReceipt = { changeId: first.changeId, status: 'applied', version: 3, seq: 7, superseded: [] };
    await settle(db, [receipt], 11); // the status change is acknowledged: not exported

    const file = JSON.parse(JSON.stringify(await exportUnsent(db, 12))) as unknown;
    const rows = (await listRows(db)).filter((r) => r.state !== 'acked');
    expect(file).toMatchObject({ format: 'outpost-unsent-changes', version: 1, exportedAt: 12 });
    const changes = (file as { changes: { change: { id: string; fields: unknown } }[] }).changes;
    expect(changes.map((c) => c.change.id)).toEqual(rows.map((r) => r.changeId));
    expect(changes.map((c) => c.change.fields)).toEqual(rows.map((r) => r.fields));
  });

  it('OB8: importing on another device queues the same changes and shows them; importing again adds nothing', async () => {
    const a = await deviceWithJob();
    await saveReportNotes(a.ctx, 'job-1', 'Written on the old phone');
    await recordPunch(a.ctx, { kind: 'clock_in', location: { lat: 1, lng: 2, accuracyM: 5 } });
    const file = JSON.stringify(await exportUnsent(a.db, 50));

    const b = await deviceWithJob();
    expect(await importUnsent(b.db, file, 60)).toEqual({ added: 2, skipped: 0 });
    const imported = await listRows(b.db);
    expect(imported.map((r) => r.changeId)).toEqual((await listRows(a.db)).map((r) => r.changeId));
    expect(imported.every((r) => r.state === 'pending' && r.attempts === 0)).toBe(true);
    expect((await b.db.reports.get('job-1'))?.notes).toBe('Written on the old phone'); // RC2: shown at once
    expect(await b.db.punches.count()).toBe(1);

    expect(await importUnsent(b.db, file, 70)).toEqual({ added: 0, skipped: 2 });
    expect((await countByState(b.db)).pending).toBe(2);
    // And on the device that made them, they are already there.
    expect(await importUnsent(a.db, file, 80)).toEqual({ added: 0, skipped: 2 });
  });

  it('OB8 / RC4: importing a change to a job this device holds only as pulled keeps the pulled job under it', async () => {
    const a = await deviceWithJob();
    await setJobStatus(a.ctx, 'job-1', 'in_progress');
    const file = JSON.stringify(await exportUnsent(a.db, 50));

    const { db } = freshDb(); // a synced job stored once, as its visible record (RC4)
    await db.jobs.put({ id: 'job-1', version: 2, deleted: false, ...JOB_FIELDS, site: 'Depot 4' });
    expect(await importUnsent(db, JSON.parse(file), 60)).toEqual({ added: 1, skipped: 0 });
    expect(await db.base.get(['job', 'job-1'])).toMatchObject({ version: 2, fields: { site: 'Depot 4' } });
    expect(await db.jobs.get('job-1')).toMatchObject({ status: 'in_progress', site: 'Depot 4', title: JOB_FIELDS.title });
  });

  it('OB8: a damaged or foreign file is refused with a reason and nothing is imported', async () => {
    const { db } = await deviceWithJob();
    const good = await exportUnsent((await deviceWithJob()).db, 1);
    const tampered = {
      ...good,
      changes: [{ change: { id: 'not-a-uuid', entity: 'job' }, state: 'pending', lastError: null, createdAt: 1 }],
    };
    for (const bad of ['{"format":', '[]', JSON.stringify({ format: 'something-else' }), JSON.stringify(tampered)]) {
      await expect(importUnsent(db, bad, 1)).rejects.toBeInstanceOf(ImportFileError);
    }
    await expect(importUnsent(db, '{"format":', 1)).rejects.toThrow(/nothing was imported/);
    expect(await db.outbox.count()).toBe(0);
  });

  it('OB8: a file listing the same change twice adds it once', async () => {
    const a = await deviceWithJob();
    await saveReportNotes(a.ctx, 'job-1', 'once');
    const file = await exportUnsent(a.db, 1);
    const doubled = { ...file, changes: [...file.changes, ...file.changes] };
    const b = await deviceWithJob();
    expect(await importUnsent(b.db, doubled, 2)).toEqual({ added: 1, skipped: 1 });
    expect((await listRows(b.db)).map((r) => r.changeId as ChangeId)).toEqual([file.changes[0]?.change.id]);
  });
});
