import { describe, expect, it } from 'vitest';
import type { DBCore } from 'dexie';
import { IDBKeyRange } from 'fake-indexeddb';
import type { Change, ChangeId, PriorityPullResponse } from '../../protocol/index.ts';
import { PAYLOAD_VERSION, PROTOCOL_VERSION, compareHlc } from '../../protocol/index.ts';
import { openOutpostDb } from '../data/db.ts';
import type { OutpostDb } from '../data/db.ts';
import { getMeta } from '../data/meta.ts';
import { countByState, takeBatch } from '../data/outbox.ts';
import { JOB_FIELDS, freshDb, testClock, uuidSequence } from '../data/testing.ts';
import type { TestClock } from '../data/testing.ts';
import { openDataContext, recordPunch, saveReportNotes, setJobStatus, updateJob } from '../data/write.ts';
import type { DataContext } from '../data/write.ts';
import { createReconciler } from '../worker/reconciler.ts';
import { BACKOFF_CAP_MS } from './backoff.ts';
import { createSyncEngine } from './engine.ts';
import type { LiveMessageToFollow, SyncEngine, SyncStatus, TriggerEvent, TriggerSource } from './engine.ts';
import { createMemoryLocks } from './locks.ts';
import type { LocksLike } from './locks.ts';
import { createFakeServer } from './testing/fake-server.ts';
import type { FakeServer } from './testing/fake-server.ts';
import { createFakeTimers } from './testing/fake-timers.ts';
import type { SyncTransport, TransportResult } from './transport.ts';
import type { FakeTimers } from './testing/fake-timers.ts';

const managerUuid = uuidSequence();

/** A change made by a manager on another device, applied at the server. */
function managerChange(entityId: string, op: Change['op'], fields: Record<string, unknown>, wallMs: number, baseVersion = 0): Change {
  return {
    id: managerUuid() as ChangeId,
    deviceId: 'manager-device',
    entity: 'job',
    entityId,
    op,
    fields,
    hlc: `${String(wallMs).padStart(13, '0')}-0000-manager-device`,
    baseVersion,
    payloadVersion: PAYLOAD_VERSION,
  };
}

interface Device {
  db: OutpostDb;
  ctx: DataContext;
  engine: SyncEngine;
  timers: FakeTimers;
  clock: TestClock;
}

async function makeDevice(
  server: FakeServer,
  opts: {
    db?: OutpostDb;
    locks?: LocksLike;
    clock?: TestClock;
    batchSize?: number;
    pullLimit?: number;
    context?: 'page' | 'service-worker';
    transport?: SyncTransport;
  } = {},
): Promise<Device> {
  const db = opts.db ?? freshDb().db;
  const clock = opts.clock ?? testClock();
  const timers = createFakeTimers(clock);
  const ctx = await openDataContext({ db, userId: 'user-1', now: clock.now, elapsedMs: () => 10, bootId: 'boot-1', uuid: uuidSequence() });
  const engine = createSyncEngine({
    db,
    transport: opts.transport ?? server.transport,
    reconciler: createReconciler(db, { now: clock.now }),
    locks: opts.locks ?? createMemoryLocks(),
    clock,
    timers,
    random: () => 0.5,
    ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
    ...(opts.pullLimit ? { pullLimit: opts.pullLimit } : {}),
    ...(opts.context ? { context: opts.context } : {}),
  });
  return { db, ctx, engine, timers, clock };
}

/** Seed jobs at the server and pull them to the device. */
async function seedJobs(server: FakeServer, device: Device, ids: string[]): Promise<void> {
  for (const id of ids) server.apply(managerChange(id, 'create', { ...JOB_FIELDS }, 1_600_000_000_000));
  expect((await device.engine.syncNow('start')).outcome).toBe('synced');
}

/** Wait (by yielding, not by time) until `predicate` holds. */
async function until(predicate: () => boolean | Promise<boolean>, what = 'condition'): Promise<void> {
  for (let i = 0; i < 2_000; i++) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 0));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The mode of every IndexedDB transaction `db` opens from now on (explicit or implicit), in order. */
async function recordTransactions(db: OutpostDb): Promise<string[]> {
  const modes: string[] = [];
  db.use({
    stack: 'dbcore',
    name: 'record-transactions',
    create: (down: DBCore): DBCore => ({
      ...down,
      transaction: (stores, mode, options) => {
        modes.push(mode);
        return down.transaction(stores, mode, options);
      },
    }),
  });
  db.close(); // Dexie builds its middleware stack when it opens
  await db.open();
  return modes;
}

function everyChangeOnce(server: FakeServer): void {
  for (const [id, n] of server.applied) expect(n, `change ${id} applied ${n} times`).toBe(1);
}

describe('priority pull (PL5)', () => {
  /** The fake server's transport with a priority pull that answers `answer` (default: the server's states of `ids`). */
  function withPriority(server: FakeServer, ids: string[], answer?: Exclude<TransportResult<never>, { kind: 'ok' }>) {
    const calls: { from: string; to: string; before: number }[] = [];
    const transport: SyncTransport = {
      ...server.transport,
      async pullPriority(from, to): Promise<TransportResult<PriorityPullResponse>> {
        calls.push({ from, to, before: server.stats.pullCalls });
        if (answer) return answer;
        const records = ids.flatMap((id) => {
          const state = server.entity('job', id);
          return state ? [{ ...state, fields: { ...state.fields }, clocks: { ...state.clocks } }] : [];
        });
        return { kind: 'ok', body: { ok: true, protocolVersion: PROTOCOL_VERSION, records, serverHlc: '1700000000000-0000-server' } };
      },
    };
    return { transport, calls };
  }

  it('PL5: a device that never pulled asks for its week first, then pulls everything by cursor', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    for (const id of ['old-1', 'old-2', 'week-1']) server.apply(managerChange(id, 'create', { ...JOB_FIELDS }, 1_600_000_000_000));
    const { transport, calls } = withPriority(server, ['week-1']);
    const d = await makeDevice(server, { transport });
    const result = await d.engine.syncNow('start');
    expect(result.outcome).toBe('synced');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ before: 0 }); // before the first pull by cursor
    expect(calls[0]?.from).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect((await d.db.jobs.toArray()).map((j) => j.id).sort()).toEqual(['old-1', 'old-2', 'week-1']);
    expect(await getMeta(d.db, 'cursor')).toBe('3');
    // With a cursor stored, later drains pull by cursor only.
    await d.engine.syncNow('manual');
    expect(calls).toHaveLength(1);
  });

  it('PL5: a server without the route (404) is skipped; any other failure fails the drain and stores no cursor (SY2)', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    server.apply(managerChange('job-1', 'create', { ...JOB_FIELDS }, 1_600_000_000_000));
    const missing = withPriority(server, [], { kind: 'rejected', status: 404, message: 'Not found' });
    const a = await makeDevice(server, { transport: missing.transport });
    expect(await a.engine.syncNow('start')).toMatchObject({ outcome: 'synced', pulled: 1 });

    const down = withPriority(server, [], { kind: 'transient', reason: 'The server could not be reached.', offline: true });
    const b = await makeDevice(server, { transport: down.transport });
    expect((await b.engine.syncNow('start')).outcome).toBe('offline');
    expect(server.stats.pullCalls).toBe(1); // only device a's
    expect(await getMeta(b.db, 'cursor')).toBeUndefined();
    expect(await b.db.jobs.count()).toBe(0);
  });
});

describe('sync engine (SY1–SY7, PU7)', () => {
  it('SY2: pushes every pending row in outbox-ordered batches, then pulls until `more` is false', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const device = await makeDevice(server, { batchSize: 2, pullLimit: 2 });
    await seedJobs(server, device, ['j1', 'j2', 'j3']);
    expect(server.stats.pullCalls).toBe(2); // 3 records, 2 per page
    await updateJob(device.ctx, 'j1', { title: 'one' });
    await updateJob(device.ctx, 'j2', { title: 'two' });
    await saveReportNotes(device.ctx, 'j1', 'notes');
    await recordPunch(device.ctx, { kind: 'clock_in', location: null });
    await updateJob(device.ctx, 'j3', { title: 'third' });
    const result = await device.engine.syncNow('manual');
    expect(result).toMatchObject({ outcome: 'synced', pushed: 5 });
    expect(server.stats.batchSizes.slice(-3)).toEqual([2, 2, 1]);
    expect(server.entity('job', 'j1')?.fields.title).toBe('one');
    expect(server.entity('report', 'j1')?.fields.notes).toBe('notes');
    expect(await countByState(device.db)).toEqual({ pending: 0, sending: 0, acked: 0, refused: 0, conflict: 0 });
    expect(await device.db.jobs.get('j3')).toMatchObject({ title: 'third' });
    everyChangeOnce(server);
  });

  it('PU7 transient: rows return to pending, the retry honours Retry-After, then everything lands once', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const device = await makeDevice(server);
    await seedJobs(server, device, ['j1']);
    await updateJob(device.ctx, 'j1', { title: 'one' });
    server.script.push.push({ kind: 'transient', reason: 'Service unavailable.', retryAfterMs: 30_000 });
    const t0 = device.clock.t;
    const result = await device.engine.syncNow('manual');
    expect(result.outcome).toBe('backoff');
    const status = device.engine.status();
    expect(status).toMatchObject({ phase: 'backoff', lastError: 'Service unavailable.', nextRetryAt: t0 + 30_000 });
    expect(status.counts.pending).toBe(1);
    expect(server.stats.pullCalls).toBe(1); // SY2: no pull after a transport failure
    expect(device.timers.pending().map((t) => t.at)).toEqual([t0 + 30_000]);
    device.timers.runNext();
    await until(() => device.engine.status().phase === 'idle', 'the retry drain');
    expect(server.entity('job', 'j1')?.fields.title).toBe('one');
    expect(device.engine.status().counts.pending).toBe(0);
    everyChangeOnce(server);
  });

  it('PU3 / PU7: an answer lost after the server applied the batch is resent and acknowledged as duplicate, applied once', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const device = await makeDevice(server);
    await seedJobs(server, device, ['j1']);
    await setJobStatus(device.ctx, 'j1', 'in_progress');
    await saveReportNotes(device.ctx, 'j1', 'started');
    server.script.push.push({ kind: 'lose-answer' });
    expect((await device.engine.syncNow('manual')).outcome).toBe('offline');
    expect(device.engine.status().phase).toBe('offline');
    // a later edit must not be folded into a row that may have reached the server (OB5)
    await saveReportNotes(device.ctx, 'j1', 'started, then more');
    expect((await device.engine.syncNow('online')).outcome).toBe('synced');
    expect(server.stats.changesReceived).toBe(5);
    everyChangeOnce(server);
    expect(server.entity('report', 'j1')?.fields.notes).toBe('started, then more');
    expect(await device.db.outbox.count()).toBe(0);
  });

  it('AU2 / PU7: an expired session pauses sending, keeps every row, and resume() sends everything once', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const device = await makeDevice(server);
    await seedJobs(server, device, ['j1']);
    await updateJob(device.ctx, 'j1', { title: 'one' });
    server.script.push.push({ kind: 'auth', reason: 'Your session expired. Sign in again.' });
    expect((await device.engine.syncNow('manual')).outcome).toBe('signed-out');
    expect(device.engine.status()).toMatchObject({ phase: 'signed-out', lastError: 'Your session expired. Sign in again.', nextRetryAt: null });
    expect(device.timers.pending()).toEqual([]); // no 401 loop
    // work goes on while signed out; triggers do not send
    await saveReportNotes(device.ctx, 'j1', 'offline notes');
    expect((await device.engine.syncNow('online')).outcome).toBe('skipped');
    expect(await countByState(device.db)).toMatchObject({ pending: 2, sending: 0 });
    const pushesBefore = server.stats.pushCalls;
    const seen: string[] = [];
    const stop = device.engine.subscribe((s) => seen.push(s.phase));
    const resumed = device.engine.resume();
    expect(seen.at(-1)).not.toBe('signed-out'); // SY5: the pause ends for listeners at once
    expect((await resumed).outcome).toBe('synced');
    stop();
    expect(server.stats.pushCalls).toBe(pushesBefore + 1);
    expect(server.entity('report', 'j1')?.fields.notes).toBe('offline notes');
    everyChangeOnce(server);
  });

  it('SV2 / PU7: 426 pauses with update-required and keeps the rows', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const device = await makeDevice(server);
    await seedJobs(server, device, ['j1']);
    await updateJob(device.ctx, 'j1', { title: 'one' });
    server.script.push.push({ kind: 'too-old', message: 'Update Outpost to keep syncing.' });
    expect((await device.engine.syncNow('manual')).outcome).toBe('update-required');
    expect(device.engine.status().phase).toBe('update-required');
    expect((await device.engine.syncNow('periodic')).outcome).toBe('skipped');
    expect((await countByState(device.db)).pending).toBe(1);
  });

  it('PU7: 413 splits the batch in half until it fits; nothing lost or duplicated', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const device = await makeDevice(server, { batchSize: 8 });
    await seedJobs(server, device, ['j1', 'j2', 'j3', 'j4', 'j5']);
    for (const id of ['j1', 'j2', 'j3', 'j4', 'j5']) await updateJob(device.ctx, id, { title: `new ${id}` });
    server.maxBatch = 2;
    expect((await device.engine.syncNow('manual')).outcome).toBe('synced');
    expect(server.stats.batchSizes).toEqual([5, 2, 2, 1]);
    for (const id of ['j1', 'j2', 'j3', 'j4', 'j5']) expect(server.entity('job', id)?.fields.title).toBe(`new ${id}`);
    everyChangeOnce(server);
  });

  it('PU7: another 4xx keeps the rows pending with the server message and backs off at the cap', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const device = await makeDevice(server);
    await seedJobs(server, device, ['j1']);
    await updateJob(device.ctx, 'j1', { title: 'one' });
    server.script.push.push({ kind: 'rejected', status: 400, message: 'changes.0: unknown field' });
    const t0 = device.clock.t;
    expect((await device.engine.syncNow('manual')).outcome).toBe('rejected');
    expect(device.engine.status()).toMatchObject({ phase: 'backoff', lastError: 'changes.0: unknown field', nextRetryAt: t0 + BACKOFF_CAP_MS });
    const [row] = await device.db.outbox.toArray();
    expect(row).toMatchObject({ state: 'pending', lastError: 'changes.0: unknown field', attempts: 1 });
  });

  it('PU7 per receipt: a refused change and a conflict are kept for a person, and the drain still pulls (SY2)', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const device = await makeDevice(server);
    await seedJobs(server, device, ['j1', 'j2']);
    await setJobStatus(device.ctx, 'j1', 'done');
    await updateJob(device.ctx, 'j2', { title: 'edited' });
    // meanwhile a manager cancels j1 and removes j2
    server.apply(managerChange('j1', 'update', { status: 'cancelled' }, 1_650_000_000_000, 1));
    server.apply(managerChange('j2', 'delete', {}, 1_650_000_000_000, 1));
    const pullsBefore = server.stats.pullCalls;
    expect((await device.engine.syncNow('manual')).outcome).toBe('synced');
    expect(server.stats.pullCalls).toBe(pullsBefore + 1);
    const rows = await device.db.outbox.orderBy('seq').toArray();
    expect(rows.map((r) => [r.entityId, r.state])).toEqual([
      ['j1', 'conflict'],
      ['j2', 'refused'],
    ]);
    expect(rows[1]?.receipt).toMatchObject({ code: 'deleted' });
    expect((await device.db.jobs.get('j1'))?.status).toBe('cancelled');
    expect((await device.db.jobs.get('j2'))?.deleted).toBe(true);
    expect(device.engine.status().counts).toMatchObject({ conflict: 1, refused: 1, pending: 0 });
  });

  it('SY1: two engines on the same database and locks never push in parallel and never send twice', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const { db, factory } = freshDb('outpost-shared');
    const locks = createMemoryLocks();
    const clock = testClock();
    const tabA = await makeDevice(server, { db, locks, clock, batchSize: 2 });
    const tabB = await makeDevice(server, { db: openOutpostDb('outpost-shared', { indexedDB: factory, IDBKeyRange }), locks, clock, batchSize: 2 });
    await seedJobs(server, tabA, ['j1', 'j2', 'j3']);
    for (const [i, id] of ['j1', 'j2', 'j3'].entries()) {
      await updateJob(tabA.ctx, id, { title: `A${i}` });
      await saveReportNotes(tabB.ctx, id, `B${i}`);
    }
    await Promise.all([
      tabA.engine.syncNow('manual'),
      tabB.engine.syncNow('manual'),
      tabA.engine.syncNow('online'),
      tabB.engine.syncNow('visible'),
    ]);
    expect(server.stats.maxConcurrent).toBe(1);
    expect(server.stats.changesReceived).toBe(6);
    everyChangeOnce(server);
    expect(await db.outbox.count()).toBe(0);
  });

  it('SY1: a trigger during a drain causes exactly one more pass', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const device = await makeDevice(server);
    await seedJobs(server, device, ['j1']);
    await updateJob(device.ctx, 'j1', { title: 'one' });
    let triggered = 0;
    server.onPush = async () => {
      if (triggered++ > 0) return;
      await saveReportNotes(device.ctx, 'j1', 'written during the drain');
      void device.engine.syncNow('write');
      void device.engine.syncNow('poke');
      void device.engine.syncNow('visible');
    };
    const pullsBefore = server.stats.pullCalls;
    const result = await device.engine.syncNow('manual');
    expect(result).toMatchObject({ outcome: 'synced', passes: 2, pushed: 2 });
    expect(server.stats.pullCalls).toBe(pullsBefore + 2);
    expect(server.entity('report', 'j1')?.fields.notes).toBe('written during the drain');
  });

  it('OB4: rows left `sending` by a killed context are sent by the next drain', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const device = await makeDevice(server);
    await seedJobs(server, device, ['j1']);
    await updateJob(device.ctx, 'j1', { title: 'one' });
    await takeBatch(device.db, 10, 1); // a context took them and died
    expect((await device.engine.syncNow('manual')).outcome).toBe('synced');
    expect(server.entity('job', 'j1')?.fields.title).toBe('one');
    expect(await device.db.outbox.count()).toBe(0);
  });

  it('SY5: status events carry phase, counts by state and the last sync time', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const device = await makeDevice(server);
    await seedJobs(server, device, ['j1']);
    await updateJob(device.ctx, 'j1', { title: 'one' });
    await saveReportNotes(device.ctx, 'j1', 'notes');
    const events: SyncStatus[] = [];
    const unsubscribe = device.engine.subscribe((s) => events.push(s));
    await device.engine.syncNow('manual');
    unsubscribe();
    // A count that lands mid-phase and changes what is shown adds an event of the same phase.
    expect(events.map((e) => e.phase).filter((p, i, all) => p !== all[i - 1])).toEqual(['idle', 'pushing', 'pulling', 'idle']);
    expect(events[1]?.counts).toMatchObject({ sending: 2, pending: 0 });
    expect(events.at(-1)?.counts).toEqual({ pending: 0, sending: 0, acked: 0, refused: 0, conflict: 0 });
    expect(events.at(-1)?.lastSyncAt).toBe(await getMeta(device.db, 'lastSyncAt'));
    expect(events.at(-1)?.lastError).toBeNull();
  });

  it('OB4 / PU1 / OB5: the next batch is taken while one is on the network; every change leaves committed `sending`, in outbox order, and a batch taken ahead of a failed push goes back uncounted', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const sentStates: string[] = [];
    const sentIds: string[] = [];
    let db: OutpostDb | null = null;
    const transport = {
      ...server.transport,
      async push(request: Parameters<FakeServer['transport']['push']>[0]) {
        for (const change of request.changes) {
          sentIds.push(change.id);
          sentStates.push((await db!.outbox.where('changeId').equals(change.id).first())?.state ?? 'missing');
        }
        return server.transport.push(request);
      },
    };
    const device = await makeDevice({ ...server, transport }, { batchSize: 2 });
    db = device.db;
    await seedJobs(server, device, ['j1', 'j2', 'j3']);
    await updateJob(device.ctx, 'j1', { title: 'one' });
    await updateJob(device.ctx, 'j2', { title: 'two' });
    await updateJob(device.ctx, 'j3', { title: 'three' });
    await recordPunch(device.ctx, { kind: 'clock_in', location: null });
    await recordPunch(device.ctx, { kind: 'clock_out', location: null });
    const queued = await device.db.outbox.orderBy('seq').toArray();
    const order = queued.map((r) => r.changeId as string);
    const rows5 = queued.map((r) => r.seq);
    await device.engine.refresh(); // as the app does after each write
    const events: SyncStatus[] = [];
    const unsubscribe = device.engine.subscribe((e) => events.push(e));
    // The first push lands; the second fails while the third batch has already been taken.
    server.onPush = async () => {
      if (sentIds.length !== 4) return;
      // While the second batch is on the network, the third is taken (committed `sending`) ...
      await until(async () => (await device.db.outbox.get(rows5[4]!))?.state === 'sending', 'the batch taken ahead');
      // ... and then this push fails.
      server.script.push.push({ kind: 'transient', reason: 'Bad gateway.' });
    };
    expect((await device.engine.syncNow('manual')).outcome).toBe('backoff');
    server.onPush = null;
    unsubscribe();
    const rows = await device.db.outbox.orderBy('seq').toArray();
    expect(rows.map((r) => [r.state, r.attempts, r.lastError])).toEqual([
      ['acked', 1, null],
      ['acked', 1, null],
      ['pending', 1, 'Bad gateway.'],
      ['pending', 1, 'Bad gateway.'],
      ['pending', 0, null], // taken ahead, never sent (OB5: still foldable)
    ]);
    // SY5: the counts shifted batch by batch add up to the rows, and end where the outbox is.
    for (const e of events.slice(1)) expect(Object.values(e.counts).reduce((a, b) => a + b, 0)).toBe(5);
    expect(device.engine.status().counts).toEqual(await countByState(device.db));

    expect((await device.engine.syncNow('online')).outcome).toBe('synced');
    expect(sentStates.every((state) => state === 'sending')).toBe(true);
    expect(sentIds).toEqual([...order.slice(0, 4), ...order.slice(2)]);
    everyChangeOnce(server);
    expect(server.entity('job', 'j3')?.fields.title).toBe('three');
    expect(device.engine.status().counts).toEqual({ pending: 0, sending: 0, acked: 0, refused: 0, conflict: 0 });
  });

  it('SY5: counts shown wrong before a drain (another context sent rows) are corrected by the drain without a count before its request', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const device = await makeDevice(server);
    await seedJobs(server, device, ['j1']);
    await updateJob(device.ctx, 'j1', { title: 'one' });
    await device.engine.refresh();
    expect(device.engine.status().counts.pending).toBe(1);
    // Another context's drain sends it; this engine's status still says 1 waiting.
    const other = await makeDevice(server, { db: device.db });
    expect((await other.engine.syncNow('manual')).outcome).toBe('synced');
    expect(device.engine.status().counts.pending).toBe(1);
    const events: SyncStatus[] = [];
    const unsubscribe = device.engine.subscribe((e) => events.push(e));
    expect((await device.engine.syncNow('poke')).outcome).toBe('synced');
    unsubscribe();
    expect(events.at(-1)?.counts).toEqual({ pending: 0, sending: 0, acked: 0, refused: 0, conflict: 0 });
  });

  it('PU7 / OB4: a settle that fails stops the drain before its next push; the rows are resent and applied once', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const device = await makeDevice(server, { batchSize: 1 });
    await seedJobs(server, device, ['j1', 'j2', 'j3', 'j4']);
    for (const id of ['j1', 'j2', 'j3', 'j4']) await updateJob(device.ctx, id, { title: `t-${id}` });
    const armed = { on: true };
    device.db.use({
      stack: 'dbcore',
      name: 'fail-settle',
      create: (down: DBCore): DBCore => ({
        ...down,
        table: (name) => {
          const t = down.table(name);
          if (name !== 'outbox') return t;
          return {
            ...t,
            mutate: (req) =>
              armed.on && req.type === 'put' && req.values.some((v: { state?: string }) => v.state === 'acked')
                ? Promise.reject(new Error('The disk is full.'))
                : t.mutate(req),
          };
        },
      }),
    });
    device.db.close();
    await device.db.open();
    const pushesBefore = server.stats.pushCalls;
    expect((await device.engine.syncNow('manual')).outcome).toBe('error');
    expect(server.stats.pushCalls - pushesBefore).toBeLessThan(4);
    armed.on = false;
    expect((await device.engine.syncNow('manual')).outcome).toBe('synced');
    for (const id of ['j1', 'j2', 'j3', 'j4']) expect(server.entity('job', id)?.fields.title).toBe(`t-${id}`);
    everyChangeOnce(server);
    expect(await device.db.outbox.count()).toBe(0);
  });

  it('SY2 / SY5: a pull-only drain (e.g. after a poke) reads once, read-only, before its pull request', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const device = await makeDevice(server);
    await seedJobs(server, device, ['j1']);
    const modes = await recordTransactions(device.db);
    let beforePull: string[] | null = null;
    const pull = server.transport.pull;
    server.transport.pull = (cursor, limit) => {
      beforePull ??= [...modes];
      return pull(cursor, limit);
    };
    server.apply(managerChange('j2', 'create', { ...JOB_FIELDS }, 1_600_000_000_000));
    expect((await device.engine.syncNow('poke')).outcome).toBe('synced');
    expect(beforePull).toEqual(['readonly']);
    expect(await device.db.jobs.get('j2')).toBeDefined();
    // No acked row is left to prune: no read-write transaction on the outbox after the pull either.
    expect(device.engine.status().counts).toEqual({ pending: 0, sending: 0, acked: 0, refused: 0, conflict: 0 });
  });

  it('OB4 / PU1: a push leaves after one read and the durable take, nothing else', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const device = await makeDevice(server);
    await seedJobs(server, device, ['j1']);
    await updateJob(device.ctx, 'j1', { title: 'one' });
    const modes = await recordTransactions(device.db);
    let beforePush: string[] | null = null;
    const push = server.transport.push;
    server.transport.push = (request) => {
      beforePush ??= [...modes];
      return push(request);
    };
    expect((await device.engine.syncNow('write')).outcome).toBe('synced');
    expect(beforePush).toEqual(['readonly', 'readwrite']);
    expect(server.entity('job', 'j1')?.fields.title).toBe('one');
  });

  it('SY6: the server clock from push answers is merged into the device HLC', async () => {
    const server = createFakeServer(() => 1_900_000_000_000);
    const device = await makeDevice(server);
    await seedJobs(server, device, ['j1']);
    await updateJob(device.ctx, 'j1', { title: 'one' });
    await device.engine.syncNow('manual');
    const next = await updateJob(device.ctx, 'j1', { title: 'two' });
    expect(compareHlc(next.hlc, '1900000000000-0000-server')).toBeGreaterThan(0);
  });

  it('SY3 / SY4: start() drains at once, on triggers and every 60 s; backoff holds routine triggers, online retries at once; stop() ends it', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const device = await makeDevice(server);
    let fire: (event: TriggerEvent) => void = () => undefined;
    let unsubscribed = false;
    const triggers: TriggerSource = {
      subscribe(onTrigger) {
        fire = onTrigger;
        return () => {
          unsubscribed = true;
        };
      },
    };
    device.engine.start(triggers);
    await until(() => server.stats.pullCalls === 1, 'the start drain');
    await until(() => device.engine.status().phase === 'idle' && device.engine.status().lastSyncAt !== null, 'idle');
    const t0 = device.clock.t;
    expect(device.timers.pending().map((t) => t.at)).toEqual([t0 + 60_000]);
    device.timers.runNext();
    await until(() => server.stats.pullCalls === 2, 'the periodic drain');

    server.script.pull.push({ kind: 'transient', reason: 'Bad gateway.' });
    fire('poke');
    await until(() => device.engine.status().phase === 'backoff', 'backoff');
    const pulls = server.stats.pullCalls;
    fire('visible'); // SY4: waits for the retry timer
    await new Promise((r) => setTimeout(r, 0));
    expect(server.stats.pullCalls).toBe(pulls);
    fire('online'); // SY4: retries at once
    await until(() => device.engine.status().phase === 'idle', 'the online drain');
    expect(server.stats.pullCalls).toBe(pulls + 1);
    expect(device.engine.status().nextRetryAt).toBeNull();

    await device.engine.stop();
    expect(unsubscribed).toBe(true);
    expect(device.timers.pending()).toEqual([]);
  });

  it('LV3: a poke that brings the records following on from the cursor is applied without a pull; one that does not, pulls', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    const device = await makeDevice(server);
    await seedJobs(server, device, ['j1']);
    let fire: (event: TriggerEvent, live?: LiveMessageToFollow) => void = () => undefined;
    device.engine.start({
      subscribe(onTrigger) {
        fire = onTrigger;
        return () => undefined;
      },
    });
    let passes = 0; // finished passes: a 'pulling' phase followed by 'idle'
    let pulling = false;
    device.engine.subscribe((status) => {
      if (status.phase === 'pulling') pulling = true;
      else if (status.phase === 'idle' && pulling) {
        pulling = false;
        passes++;
      }
    });
    await until(() => passes === 1, 'the start drain');
    const pulls = server.stats.pullCalls;
    const title = async () => (await device.db.jobs.get('j1'))?.title;

    // Follows on from the stored cursor: applied as a pulled page, the cursor moves with it, no request.
    const cursor = await getMeta(device.db, 'cursor');
    server.apply(managerChange('j1', 'update', { title: 'Live' }, 1_600_000_000_100, 1));
    const live = server.changesSince(cursor ?? '');
    fire('poke', live);
    await until(() => passes === 2, 'the poke pass');
    expect([await title(), await getMeta(device.db, 'cursor'), server.stats.pullCalls]).toEqual(['Live', live.cursor, pulls]);

    // The device is already where a message ends (its own pull got there first): nothing to do.
    fire('poke', live);
    await until(() => passes === 3, 'the second poke pass');
    expect(server.stats.pullCalls).toBe(pulls);

    // A message that does not follow on (one was missed): the pass pulls, and nothing is skipped.
    server.apply(managerChange('j1', 'update', { title: 'Missed' }, 1_600_000_000_200, 2));
    const missed = server.changesSince(live.cursor);
    server.apply(managerChange('j1', 'update', { title: 'Latest' }, 1_600_000_000_300, 3));
    fire('poke', server.changesSince(missed.cursor));
    await until(() => passes === 4, 'the fallback pass');
    expect([await title(), server.stats.pullCalls]).toEqual(['Latest', pulls + 1]);

    // A plain poke (LV1) still pulls.
    fire('poke');
    await until(() => passes === 5, 'the plain poke pass');
    expect(server.stats.pullCalls).toBe(pulls + 2);

    // A stream that starts where the device is (its hello's cursor is the stored one): nothing to catch up.
    const here = (await getMeta(device.db, 'cursor')) ?? '';
    fire('poke', { type: 'hello', protocolVersion: 4, cursor: here });
    await until(() => passes === 6, 'the pass of a hello at the stored cursor');
    expect(server.stats.pullCalls).toBe(pulls + 2);

    // A stream that starts after a commit the device has not pulled (it opened after the device's last
    // pull): the stream will never carry that commit, so the pass pulls it.
    server.apply(managerChange('j1', 'update', { title: 'Before the stream' }, 1_600_000_000_400, 4));
    const streamStart = server.changesSince(here).cursor;
    fire('poke', { type: 'hello', protocolVersion: 4, cursor: streamStart });
    await until(() => passes === 7, 'the pass of a hello elsewhere');
    expect([await title(), await getMeta(device.db, 'cursor'), server.stats.pullCalls]).toEqual(['Before the stream', streamStart, pulls + 3]);
    await device.engine.stop();
  });

  it('SY1 / SY4: going online during a pass that fails runs one more pass at once instead of waiting for the backoff', async () => {
    const server = createFakeServer(() => 1_700_000_000_000);
    server.apply(managerChange('job-1', 'create', { ...JOB_FIELDS }, 1_600_000_000_000));
    let online: Promise<unknown> | null = null;
    let trigger = (): Promise<unknown> => Promise.resolve();
    const transport: SyncTransport = {
      ...server.transport,
      async pull(cursor, limit) {
        const answer = await server.transport.pull(cursor, limit);
        if (answer.kind !== 'ok' && online === null) online = trigger(); // the `online` event lands mid-pass
        return answer;
      },
    };
    const device = await makeDevice(server, { transport });
    trigger = () => device.engine.syncNow('online');
    server.script.pull.push({ kind: 'transient', reason: 'The server could not be reached.', offline: true });
    const result = await device.engine.syncNow('manual');
    expect(online).not.toBeNull();
    expect(result).toMatchObject({ outcome: 'synced', passes: 2 });
    expect(device.engine.status()).toMatchObject({ phase: 'idle', nextRetryAt: null });
    expect(device.timers.pending().filter((t) => t.at < device.clock.t + 60_000)).toEqual([]); // no stray retry
    expect(await device.db.jobs.count()).toBe(1);
  });

  describe('DG3: the sync log', () => {
    it('DG3: records one entry per drain pass with context, reason, outcome, timing and counts', async () => {
      const server = createFakeServer(() => 1_700_000_000_000);
      const device = await makeDevice(server, { context: 'service-worker' });
      await seedJobs(server, device, ['j1']); // pass 1: start, pulls one record
      await updateJob(device.ctx, 'j1', { title: 'one' });
      let triggered = 0;
      server.onPush = async () => {
        if (triggered++ > 0) return;
        device.clock.t += 40; // the push takes 40 ms
        await saveReportNotes(device.ctx, 'j1', 'written during the drain');
        void device.engine.syncNow('write'); // SY1: one more pass, recorded with its own reason
      };
      expect(await device.engine.syncNow('manual')).toMatchObject({ outcome: 'synced', passes: 2 });
      server.script.push.push({ kind: 'transient', reason: 'Service unavailable.', retryAfterMs: 30_000 });
      await saveReportNotes(device.ctx, 'j1', 'again');
      expect((await device.engine.syncNow('sw-sync')).outcome).toBe('backoff');
      await device.engine.stop(); // flushes the log
      const log = (await device.db.syncLog.orderBy('id').toArray()).map(({ id: _id, at: _at, ...rest }) => rest);
      expect(log).toEqual([
        { context: 'service-worker', reason: 'start', outcome: 'synced', durationMs: 0, pushed: 0, pulled: 1, error: null },
        // The next batch is taken while the push is on the network, before the note was written ...
        { context: 'service-worker', reason: 'manual', outcome: 'synced', durationMs: 40, pushed: 1, pulled: 1, error: null },
        // ... so the pass the write asked for (SY1) sends it.
        { context: 'service-worker', reason: 'write', outcome: 'synced', durationMs: 0, pushed: 1, pulled: 1, error: null },
        { context: 'service-worker', reason: 'sw-sync', outcome: 'backoff', durationMs: 0, pushed: 0, pulled: 0, error: 'Service unavailable.' },
      ]);
    });

    it('DG3: a failure to write the log never fails or delays the drain; without a context nothing is recorded', async () => {
      const server = createFakeServer(() => 1_700_000_000_000);
      const device = await makeDevice(server, { context: 'page' });
      await seedJobs(server, device, ['j1']);
      await updateJob(device.ctx, 'j1', { title: 'one' });
      const add = device.db.syncLog.add.bind(device.db.syncLog);
      let refused = 0;
      device.db.syncLog.add = (() => {
        refused++;
        return Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
      }) as unknown as typeof add;
      expect(await device.engine.syncNow('manual')).toMatchObject({ outcome: 'synced', pushed: 1 });
      await until(() => refused === 1, 'the log write was tried'); // the log is written after the drain resolved
      device.db.syncLog.add = add;
      await updateJob(device.ctx, 'j1', { title: 'two' });
      expect((await device.engine.syncNow('manual')).outcome).toBe('synced');
      await device.engine.stop();
      expect((await device.db.syncLog.toArray()).map((r) => r.pushed)).toEqual([0, 1]); // start, then the third pass
      expect(server.entity('job', 'j1')?.fields.title).toBe('two');

      const quiet = await makeDevice(createFakeServer(() => 1_700_000_000_000));
      expect((await quiet.engine.syncNow('manual')).outcome).toBe('synced');
      await quiet.engine.stop();
      expect(await quiet.db.syncLog.count()).toBe(0);
    });
  });
});
