import type { Remote } from 'comlink';
import { describe, expect, it } from 'vitest';
import type { PulledRecord, Receipt } from '../../protocol/index.ts';
import { getMeta } from '../data/meta.ts';
import { settle, takeBatch } from '../data/outbox.ts';
import { JOB_FIELDS, freshDb, testContext } from '../data/testing.ts';
import { recordPunch, saveReportNotes, setJobStatus, updateJob } from '../data/write.ts';
import type { ReconcilerLike } from '../sync/engine.ts';
import type { ReconcilerApi } from './api.ts';
import { createReconciler } from './reconciler.ts';

const SERVER_HLC = '1800000000000-0000-server';

function pulled(entity: PulledRecord['entity'], entityId: string, version: number, fields: Record<string, unknown>, hlc = '1600000000000-0000-other'): PulledRecord {
  const clocks = Object.fromEntries(Object.keys(fields).map((k) => [k, { hlc, version, device: 'other-device' }]));
  return { entity, entityId, version, deleted: false, fields, clocks };
}

function setup() {
  const { db } = freshDb();
  const ctx = testContext(db);
  const reconciler = createReconciler(db, { now: () => 1_700_000_000_000 });
  return { db, ctx, reconciler };
}

describe('reconciler (RC1–RC3, PL3)', () => {
  it('RC1 / PL3: a page writes base, visible records and the cursor together and reports counts (RC3)', async () => {
    const { db, reconciler } = setup();
    const report = await reconciler.applyPulled([pulled('job', 'j1', 2, JOB_FIELDS), pulled('job', 'j2', 1, { ...JOB_FIELDS, title: 'Other' })], '10', SERVER_HLC, null);
    expect(report).toEqual({ applied: 2, stale: 0, revoked: 0, rebased: 2, pruned: 0, cursorStored: true });
    expect(await db.jobs.get('j1')).toMatchObject({ title: JOB_FIELDS.title, version: 2 });
    expect(await db.jobs.get('j2')).toMatchObject({ title: 'Other', version: 1 });
    expect(await getMeta(db, 'cursor')).toBe('10');
  });

  it('RC4: a synced entity without own changes is stored once, as its visible record; a replayed page is stale', async () => {
    const { db, reconciler } = setup();
    await reconciler.applyPulled([pulled('job', 'j1', 2, JOB_FIELDS)], '10', SERVER_HLC, null);
    expect(await db.base.count()).toBe(0);
    const replay = await reconciler.applyPulled([pulled('job', 'j1', 2, { ...JOB_FIELDS, title: 'Replayed' })], '9', SERVER_HLC, '8');
    expect(replay).toMatchObject({ applied: 0, stale: 1 });
    const newer = await reconciler.applyPulled([pulled('job', 'j1', 3, { ...JOB_FIELDS, title: 'Newer' })], '11', SERVER_HLC, '10');
    expect(newer).toMatchObject({ applied: 1, stale: 0 });
    expect(await db.jobs.get('j1')).toMatchObject({ title: 'Newer', version: 3 });
    expect(await db.base.count()).toBe(0);
  });

  it('RC4: the first own change keeps the pulled base as a base row; the change is made on that version', async () => {
    const { db, ctx, reconciler } = setup();
    await reconciler.applyPulled([pulled('job', 'j1', 2, JOB_FIELDS), pulled('report', 'j1', 4, { jobId: 'j1', notes: 'server', 'checklist.a': { label: 'A', done: false } })], '10', SERVER_HLC, null);
    await saveReportNotes(ctx, 'j1', 'mine');
    expect(await db.base.get(['report', 'j1'])).toMatchObject({ version: 4, fields: { jobId: 'j1', notes: 'server', 'checklist.a': { label: 'A', done: false } } });
    expect((await db.outbox.toArray()).map((r) => [r.op, r.baseVersion])).toEqual([['update', 4]]);
    expect(await db.reports.get('j1')).toMatchObject({ notes: 'mine', checklist: { a: { label: 'A', done: false } } });
    // Another device's edit arrives while ours is unsent: the base row moves on, ours is replayed on it.
    await reconciler.applyPulled([pulled('report', 'j1', 5, { jobId: 'j1', notes: 'server', 'checklist.a': { label: 'A', done: true } })], '11', SERVER_HLC, '10');
    expect(await db.base.get(['report', 'j1'])).toMatchObject({ version: 5 });
    expect(await db.reports.get('j1')).toMatchObject({ notes: 'mine', checklist: { a: { label: 'A', done: true } } });
    // Once ours is acked and pulled back, the entity is stored once again.
    const [row] = await takeBatch(db, 10, 1);
    if (!row) throw new Error('nothing queued');
    await settle(db, [{ changeId: row.changeId, status: 'applied', version: 6, seq: 12, superseded: [] }], 2);
    await reconciler.applyPulled([pulled('report', 'j1', 6, { jobId: 'j1', notes: 'mine', 'checklist.a': { label: 'A', done: true } })], '12', SERVER_HLC, '11');
    expect([await db.base.count(), await db.outbox.count()]).toEqual([0, 0]);
    expect(await db.reports.get('j1')).toMatchObject({ notes: 'mine', version: 6 });
  });

  it('RC4 / PL4: a revoked synced entity without a base row is forgotten too', async () => {
    const { db, reconciler } = setup();
    await reconciler.applyPulled([pulled('job', 'j1', 2, JOB_FIELDS), pulled('job', 'j2', 1, JOB_FIELDS)], '5', SERVER_HLC, null);
    const report = await reconciler.applyPulled([{ entity: 'job', entityId: 'j1', version: 3, deleted: true, fields: {}, clocks: {}, revoked: true }], '6', SERVER_HLC, '5');
    expect(report).toMatchObject({ revoked: 1 });
    expect([await db.jobs.get('j1'), (await db.jobs.get('j2'))?.id]).toEqual([undefined, 'j2']);
  });

  it('PL4: a revoked job and report are forgotten; settled rows go, unsent edits stay for the server to refuse', async () => {
    const { db, ctx, reconciler } = setup();
    await reconciler.applyPulled([pulled('job', 'j1', 2, JOB_FIELDS), pulled('report', 'j1', 1, { jobId: 'j1', notes: 'old' })], '5', SERVER_HLC, null);
    await saveReportNotes(ctx, 'j1', 'sent');
    const [sent] = await takeBatch(db, 10, 1);
    if (!sent) throw new Error('nothing queued');
    await settle(db, [{ changeId: sent.changeId, status: 'applied', version: 2, seq: 6, superseded: [] }], 2);
    await setJobStatus(ctx, 'j1', 'in_progress'); // unsent when the job goes to someone else

    const revoke = (entity: PulledRecord['entity']): PulledRecord => ({ entity, entityId: 'j1', version: 3, deleted: true, fields: {}, clocks: {}, revoked: true });
    const report = await reconciler.applyPulled([revoke('job'), revoke('report')], '9', SERVER_HLC, '5');
    expect(report).toMatchObject({ revoked: 2, pruned: 1 });
    expect([await db.jobs.get('j1'), await db.reports.get('j1'), await db.base.get(['job', 'j1'])]).toEqual([undefined, undefined, undefined]);
    expect((await db.outbox.toArray()).map((r) => [r.entity, r.state])).toEqual([['job', 'pending']]);

    // Given back later: shown again from the new state.
    await reconciler.applyPulled([pulled('job', 'j1', 4, { ...JOB_FIELDS, title: 'Back' })], '12', SERVER_HLC, '9');
    // The unsent status edit was made on version 2; status is a review field (CF4), so the device
    // predicts the server keeps its value until a person decides.
    expect(await db.jobs.get('j1')).toMatchObject({ title: 'Back', status: 'scheduled' });
    expect(await db.outbox.count()).toBe(1);
  });

  it('PL3: stale versions and replayed pages change nothing', async () => {
    const { db, reconciler } = setup();
    await reconciler.applyPulled([pulled('job', 'j1', 5, { ...JOB_FIELDS, title: 'v5' })], '20', SERVER_HLC, null);
    const replay = await reconciler.applyPulled([pulled('job', 'j1', 3, { ...JOB_FIELDS, title: 'v3' })], '12', SERVER_HLC, null);
    expect(replay).toMatchObject({ applied: 0, stale: 1, rebased: 0, cursorStored: false });
    const reordered = await reconciler.applyPulled([pulled('job', 'j1', 4, { ...JOB_FIELDS, title: 'v4' })], '19', SERVER_HLC, '18');
    expect(reordered).toMatchObject({ applied: 0, stale: 1, cursorStored: false });
    expect(await db.jobs.get('j1')).toMatchObject({ title: 'v5', version: 5 });
    // A priority pull (PL5, no cursor) is checked record by record too.
    const priority = await reconciler.applyPulled([pulled('job', 'j1', 5, { ...JOB_FIELDS, title: 'v5' })], null, SERVER_HLC);
    expect(priority).toMatchObject({ applied: 0, stale: 1, cursorStored: false });
    expect(await getMeta(db, 'cursor')).toBe('20');
  });

  it('SY6: the server clock is merged into the device HLC', async () => {
    const { db, ctx, reconciler } = setup();
    await reconciler.applyPulled([], '1', '1900000000000-0005-server', null);
    const stamp = await getMeta(db, 'hlc');
    expect(stamp && stamp > '1900000000000-0005').toBe(true);
    await reconciler.applyPulled([pulled('job', 'j1', 1, JOB_FIELDS)], '2', SERVER_HLC, '1');
    const write = await updateJob(ctx, 'j1', { title: 'after' });
    expect(write.hlc > '1900000000000-0005').toBe(true);
  });

  it('RC2: pending local edits stay on top of newer pulled records', async () => {
    const { db, ctx, reconciler } = setup();
    await reconciler.applyPulled([pulled('job', 'j1', 1, JOB_FIELDS)], '1', SERVER_HLC, null);
    await updateJob(ctx, 'j1', { title: 'Mine' });
    await reconciler.applyPulled([pulled('job', 'j1', 2, { ...JOB_FIELDS, site: 'Moved by manager' })], '2', SERVER_HLC, '1');
    expect(await db.jobs.get('j1')).toMatchObject({ title: 'Mine', site: 'Moved by manager' });
  });

  it('CF1 via applyChange: a pulled field with a later HLC beats an older pending edit in the visible record', async () => {
    const { db, ctx, reconciler } = setup();
    await reconciler.applyPulled([pulled('job', 'j1', 1, JOB_FIELDS)], '1', SERVER_HLC, null);
    const mine = await updateJob(ctx, 'j1', { title: 'Mine', site: 'My site' });
    const later = `${String(Number(mine.hlc.slice(0, 13)) + 60_000).padStart(13, '0')}-0000-other`;
    const record = pulled('job', 'j1', 2, { ...JOB_FIELDS, title: 'Theirs, later', site: 'Theirs, older' });
    // title was set after my edit, site before it (an older edit that reached the server late)
    record.clocks.title = { hlc: later, version: 2, device: 'other-device' };
    record.clocks.site = { hlc: '1600000000000-0000-other', version: 2, device: 'other-device' };
    await reconciler.applyPulled([record], '2', SERVER_HLC, '1');
    const job = await db.jobs.get('j1');
    expect(job?.title).toBe('Theirs, later');
    expect(job?.site).toBe('My site');
  });

  it('RC2: acked edits stay visible until the base reaches their version, then are pruned', async () => {
    const { db, ctx, reconciler } = setup();
    await reconciler.applyPulled([pulled('job', 'j1', 1, JOB_FIELDS)], '1', SERVER_HLC, null);
    const edit = await updateJob(ctx, 'j1', { title: 'Mine' });
    await takeBatch(db, 10, 1);
    await settle(db, [{ changeId: edit.changeId, status: 'applied', version: 3, seq: 3, superseded: [] } satisfies Receipt], 2);
    // another edit reached the server first (v2): the acked one (v3) must not flicker away
    const r1 = await reconciler.applyPulled([pulled('job', 'j1', 2, { ...JOB_FIELDS, site: 'B' })], '2', SERVER_HLC, '1');
    expect(r1.pruned).toBe(0);
    expect(await db.jobs.get('j1')).toMatchObject({ title: 'Mine', site: 'B' });
    const r2 = await reconciler.applyPulled([pulled('job', 'j1', 3, { ...JOB_FIELDS, site: 'B', title: 'Mine' })], '3', SERVER_HLC, '2');
    expect(r2.pruned).toBe(1);
    expect(await db.outbox.count()).toBe(0);
    expect(await db.jobs.get('j1')).toMatchObject({ title: 'Mine', site: 'B', version: 3 });
  });

  it('RC2: refused and conflicting rows are not replayed', async () => {
    const { db, ctx, reconciler } = setup();
    await reconciler.applyPulled([pulled('job', 'j1', 1, JOB_FIELDS)], '1', SERVER_HLC, null);
    const status = await setJobStatus(ctx, 'j1', 'done');
    await takeBatch(db, 10, 1);
    const notes = await saveReportNotes(ctx, 'j1', 'refused notes');
    await takeBatch(db, 10, 1);
    await settle(
      db,
      [
        { changeId: status.changeId, status: 'conflict', version: 2, seq: 2, conflictId: 'c', fields: [{ field: 'status', serverValue: 'cancelled', clientValue: 'done' }], reason: 'r' },
        { changeId: notes.changeId, status: 'refused', code: 'forbidden', reason: 'no' },
      ],
      3,
    );
    await reconciler.applyPulled([pulled('job', 'j1', 2, { ...JOB_FIELDS, status: 'cancelled' })], '2', SERVER_HLC, '1');
    expect((await db.jobs.get('j1'))?.status).toBe('cancelled');
    expect(await db.reports.get('j1')).toBeUndefined();
    expect(await db.outbox.count()).toBe(2); // OB7: they wait for a person
  });

  it('CF3: punches are append-only: a pulled punch is shown as pulled, own punches are kept', async () => {
    const { db, ctx, reconciler } = setup();
    const mine = await recordPunch(ctx, { kind: 'clock_in', location: null });
    const theirs = {
      userId: 'user-1', kind: 'clock_out', at: 5, recordedAt: 5, elapsedMs: 1, bootId: 'b', location: null, flags: [], correctionReason: null,
    };
    await reconciler.applyPulled([pulled('punch', 'p-other', 1, theirs)], '1', SERVER_HLC, null);
    // The same id pulled with other content: the server's punch stands, the local create is not replayed over it.
    await reconciler.applyPulled([pulled('punch', mine.entityId, 1, { ...theirs, kind: 'break_start' })], '2', SERVER_HLC, '1');
    expect((await db.punches.get(mine.entityId))?.kind).toBe('break_start');
    expect((await db.punches.get('p-other'))?.kind).toBe('clock_out');
    expect(await db.punches.count()).toBe(2);
  });

  it('rebaseEntities and rebaseAll recompute visible rows from base and outbox', async () => {
    const { db, ctx, reconciler } = setup();
    await reconciler.applyPulled([pulled('job', 'j1', 1, JOB_FIELDS)], '1', SERVER_HLC, null);
    await updateJob(ctx, 'j1', { title: 'Mine' });
    await db.jobs.put({ id: 'j1', version: 0, deleted: false, ...JOB_FIELDS, title: 'corrupt' });
    await db.jobs.put({ id: 'ghost', version: 0, deleted: false, ...JOB_FIELDS });
    expect((await reconciler.rebaseEntities([['job', 'j1']])).rebased).toBe(1);
    expect((await db.jobs.get('j1'))?.title).toBe('Mine');
    await db.jobs.put({ id: 'j1', version: 0, deleted: false, ...JOB_FIELDS, title: 'corrupt again' });
    expect((await reconciler.rebaseAll()).rebased).toBe(1);
    expect((await db.jobs.get('j1'))?.title).toBe('Mine');
    // RC4: a record with neither base row nor own change is a synced entity shown as pulled: kept.
    expect(await db.jobs.get('ghost')).toBeDefined();
  });
});

describe('worker API typing (STYLE 5)', () => {
  it('RC1: the Comlink proxy of ReconcilerApi is what the sync engine accepts', () => {
    type Proxy = Remote<ReconcilerApi>;
    const accept = (r: ReconcilerLike) => r;
    const check = (proxy: Proxy) => accept(proxy);
    expect(typeof check).toBe('function');
  });
});
