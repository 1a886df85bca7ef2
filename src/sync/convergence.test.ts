import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toRecord } from '../../protocol/index.ts';
import type { ChangeId } from '../../protocol/index.ts';
import { countByState, takeBatch } from '../data/outbox.ts';
import { JOB_FIELDS, freshDb, testClock, uuidSequence } from '../data/testing.ts';
import { openDataContext, recordPunch, saveReportNotes, setChecklistItem, setJobStatus, updateJob } from '../data/write.ts';
import { createReconciler } from '../worker/reconciler.ts';
import { createSyncEngine } from './engine.ts';
import { createMemoryLocks } from './locks.ts';
import { createFakeServer } from './testing/fake-server.ts';
import type { ScriptStep } from './testing/fake-server.ts';
import { createFakeTimers } from './testing/fake-timers.ts';

const JOBS = ['j1', 'j2'] as const;
const STATUSES = ['scheduled', 'in_progress', 'done', 'cancelled'] as const;
const FAILURES: (ScriptStep | null)[] = [
  null,
  { kind: 'transient', reason: 'Bad gateway.' },
  { kind: 'lose-answer' },
  { kind: 'auth', reason: 'Sign in again.' },
  { kind: 'too-large', message: 'Too big.' },
  { kind: 'rejected', status: 400, message: 'Bad.' },
];

const device = fc.integer({ min: 0, max: 1 });
const job = fc.constantFrom(...JOBS);
const op = fc.oneof(
  fc.record({ kind: fc.constant('title' as const), device, job, value: fc.constantFrom('a', 'b', 'c') }),
  fc.record({ kind: fc.constant('status' as const), device, job, status: fc.constantFrom(...STATUSES) }),
  fc.record({ kind: fc.constant('notes' as const), device, job, value: fc.constantFrom('x', 'y') }),
  fc.record({ kind: fc.constant('check' as const), device, job, item: fc.constantFrom('i1', 'i2'), done: fc.option(fc.boolean()) }),
  fc.record({ kind: fc.constant('punch' as const), device }),
  fc.record({ kind: fc.constant('sync' as const), device, failure: fc.integer({ min: 0, max: FAILURES.length - 1 }) }),
  fc.record({ kind: fc.constant('crash' as const), device }),
);

async function makeDevice(server: ReturnType<typeof createFakeServer>, wall: number) {
  const { db } = freshDb();
  const clock = testClock(wall);
  const ctx = await openDataContext({ db, userId: 'user-1', now: () => clock.t++, elapsedMs: () => 1, bootId: 'b', uuid: uuidSequence() });
  const engine = createSyncEngine({
    db,
    transport: server.transport,
    reconciler: createReconciler(db, { now: clock.now }),
    locks: createMemoryLocks(),
    clock,
    timers: createFakeTimers(clock),
    random: () => 0.5,
    batchSize: 3,
    pullLimit: 2,
  });
  return { db, ctx, engine };
}

describe('convergence on a deterministic network (STYLE 8)', () => {
  it('PU3 / RC2 / SY2: after random edits, failures and crashes, every device shows the server state and every change was applied at most once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
        const server = createFakeServer(() => 1_700_000_000_000);
        const managerIds = uuidSequence();
        for (const id of JOBS) {
          server.apply({ id: managerIds() as ChangeId, deviceId: 'manager', entity: 'job', entityId: id, op: 'create', fields: { ...JOB_FIELDS }, hlc: '1600000000000-0000-manager', baseVersion: 0, payloadVersion: 1 });
        }
        const devices = [await makeDevice(server, 1_700_000_000_000), await makeDevice(server, 1_700_000_000_500)];
        for (const d of devices) await d.engine.syncNow('start');

        for (const o of ops) {
          const d = devices[o.device]!;
          switch (o.kind) {
            case 'title':
              await updateJob(d.ctx, o.job, { title: o.value });
              break;
            case 'status':
              await setJobStatus(d.ctx, o.job, o.status);
              break;
            case 'notes':
              await saveReportNotes(d.ctx, o.job, o.value);
              break;
            case 'check':
              await setChecklistItem(d.ctx, o.job, o.item, o.done === null ? null : { label: o.item, done: o.done });
              break;
            case 'punch':
              await recordPunch(d.ctx, { kind: 'clock_in', location: null });
              break;
            case 'crash':
              await takeBatch(d.db, 2, 0); // a context took rows and died (OB4)
              break;
            case 'sync': {
              const failure = FAILURES[o.failure];
              if (failure) server.script.push.push(failure);
              const phase = d.engine.status().phase;
              await (phase === 'signed-out' || phase === 'update-required' ? d.engine.resume() : d.engine.syncNow('manual'));
              server.script.push.length = 0;
              break;
            }
          }
          for (const [, n] of server.applied) expect(n).toBe(1);
        }

        // Heal the network; two rounds so each device sees the other's last changes.
        for (let round = 0; round < 2; round++) {
          for (const d of devices) {
            const phase = d.engine.status().phase;
            const result = await (phase === 'signed-out' || phase === 'update-required' ? d.engine.resume() : d.engine.syncNow('manual'));
            expect(result.outcome).toBe('synced');
          }
        }
        for (const d of devices) {
          expect(await countByState(d.db)).toMatchObject({ pending: 0, sending: 0, acked: 0 });
          const keys = [
            ...JOBS.map((id) => ['job', id] as const),
            ...JOBS.map((id) => ['report', id] as const),
          ];
          for (const [entity, id] of keys) {
            const s = server.entity(entity, id);
            const table = entity === 'job' ? d.db.jobs : d.db.reports;
            const shown = await table.get(id);
            expect(shown ?? null).toEqual(s ? toRecord(entity, id, s.version, s.deleted, s.fields) : null);
          }
          expect(await d.db.punches.count()).toBe(ops.filter((o) => o.kind === 'punch').length);
        }
      }),
      { numRuns: 25 },
    );
  });
});
