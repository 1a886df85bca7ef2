/**
 * Seeded convergence run (STYLE 8) on the real parts below the browser: four
 * devices with two tabs each, sharing the device's IndexedDB (fake-indexeddb)
 * and Web Locks and draining at the same time; the real Dexie outbox,
 * write functions, reconciler and sync engine, talking HTTP to the real Fastify
 * app on a real SQLite file. A seeded schedule makes random edits, takes
 * devices offline, loses answers after the server committed, delays requests
 * and delivers them late (reordered), delivers requests twice, expires
 * sessions, answers 500, and kills contexts between send and acknowledgement;
 * some devices' clocks are hours fast or slow.
 * At quiescence every replica equals the server, no acknowledged change is
 * lost and none is applied twice (PU3, PU4, PU7, PL1–PL3, OB3–OB5, RC2, SY1,
 * CF1–CF4, CF6: the server and the devices decide with the same `applyChange`, so the replicas
 * and the server agree, contract 8).
 *
 * Reproduce a failure with CONVERGENCE_SEED=<seed printed by fast-check>.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toRecord, type EntityName } from '../protocol/index.ts';
import { ChangeRefusedError } from '../src/data/errors.ts';
import { listRows } from '../src/data/outbox.ts';
import { pickJob, randomWrite } from './support/edits.ts';
import { DEFAULT_PEOPLE, FAULTS, closeWorld, createWorld, removeWorlds, restartTab, seedTemplate, signIn, type Device, type Fault, type World } from './support/world.ts';

const RUNS = Number(process.env.CONVERGENCE_RUNS ?? 200);
const SEED = process.env.CONVERGENCE_SEED ? Number(process.env.CONVERGENCE_SEED) : undefined;

type Step =
  | { readonly t: 'edit'; readonly dev: number; readonly tab: number; readonly kind: number; readonly pick: number; readonly value: number }
  | { readonly t: 'net'; readonly dev: number; readonly online: boolean }
  | { readonly t: 'sync'; readonly dev: number; readonly tab: number; readonly fault: Fault }
  | { readonly t: 'sync-both'; readonly dev: number; readonly fault: Fault }
  | { readonly t: 'crash'; readonly dev: number; readonly tab: number; readonly afterSend: boolean }
  | { readonly t: 'deliver'; readonly pick: number }
  | { readonly t: 'tick'; readonly ms: number };

const dev = fc.integer({ min: 0, max: 3 });
const tab = fc.integer({ min: 0, max: 1 });
const HOUR = 3_600_000;
/** Most devices keep good time; some are hours fast or slow. */
const skewArb = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: -8 * HOUR, max: 8 * HOUR }) });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('edit' as const), dev, tab, kind: fc.nat(9), pick: fc.nat(20), value: fc.nat(5) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('net' as const), dev, online: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('sync' as const), dev, tab, fault: fc.constantFrom(...FAULTS) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('sync-both' as const), dev, fault: fc.constantFrom(...FAULTS) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('crash' as const), dev, tab, afterSend: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('deliver' as const), pick: fc.nat(10) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 120_000 }) }) },
);

async function edit(world: World, device: Device, step: Extract<Step, { t: 'edit' }>): Promise<void> {
  const manager = device.index === 3;
  const d = { ...(device.tabs[step.tab % device.tabs.length] ?? device), index: device.index };
  const jobId = await pickJob(d.db, step.pick);
  const v = step.value;
  const assignee = world.devices[v % 2 === 0 ? 0 : 2]?.userId ?? null;
  const write = () => randomWrite(d.ctx, { manager, kind: step.kind, value: v, jobId, deviceIndex: d.index, assignee });
  try {
    const result = await write();
    if (result) {
      world.made.set(result.changeId, d.index);
      world.counts.edits = (world.counts.edits ?? 0) + 1;
    }
  } catch (err) {
    // The device's own rules may refuse an edit at once (e.g. a job it lost to a revocation between
    // picking it and writing): it was never saved. An edit to a job the device still shows must be
    // saved (OB1, RC4: a synced job's base is its visible record).
    if (!(err instanceof ChangeRefusedError)) throw err;
    const still = jobId ? await d.db.jobs.get(jobId) : undefined;
    if (still && !still.deleted) throw new Error(`device ${d.index} refused its own edit of job ${jobId}, which it shows: ${err.code} ${err.message}`);
    world.counts.localRefusals = (world.counts.localRefusals ?? 0) + 1;
  }
}

/** Kill one tab of a device, perhaps in the middle of its request, and open a fresh one on the same IndexedDB. */
async function crash(world: World, d: Device, tabIndex: number, afterSend: boolean): Promise<void> {
  const i = tabIndex % d.tabs.length;
  const victim = d.tabs[i];
  if (!victim) return;
  const hasPending = (await listRows(victim.db)).some((r) => r.state === 'pending');
  if (hasPending && d.link.online) {
    d.link.hang = afterSend ? 'after-send' : 'before-send';
    void victim.engine.syncNow('manual'); // never settles: its request hangs
    // Wait until the drain has marked rows `sending` and its request went out (hang consumed).
    for (let n = 0; n < 1000 && d.link.hang !== null; n++) await new Promise((r) => setImmediate(r));
  }
  d.link.hang = null;
  await restartTab(world, d, i);
}

async function runStep(world: World, step: Step): Promise<void> {
  switch (step.t) {
    case 'edit':
      return edit(world, world.devices[step.dev] as Device, step);
    case 'net':
      (world.devices[step.dev] as Device).link.online = step.online;
      return;
    case 'sync': {
      const d = world.devices[step.dev] as Device;
      d.link.fault = step.fault;
      await d.tabs[step.tab % d.tabs.length]?.engine.syncNow('manual');
      d.link.fault = 'none';
      return;
    }
    case 'sync-both': {
      // SY1: every tab drains at once; the lock must keep their sends apart.
      const d = world.devices[step.dev] as Device;
      d.link.fault = step.fault;
      await Promise.all(d.tabs.map((t) => t.engine.syncNow('manual')));
      d.link.fault = 'none';
      return;
    }
    case 'crash':
      return crash(world, world.devices[step.dev] as Device, step.tab, step.afterSend);
    case 'deliver': {
      const [late] = world.delayed.splice(step.pick % Math.max(1, world.delayed.length), 1);
      if (late) {
        await late.send();
        world.counts.lateDeliveries = (world.counts.lateDeliveries ?? 0) + 1;
      }
      return;
    }
    case 'tick':
      world.clock.t += step.ms;
      return;
  }
}

/** Everyone online, late requests delivered, sessions renewed; drain until nothing moves. */
async function quiesce(world: World): Promise<void> {
  for (const late of world.delayed.splice(0)) await late.send();
  for (const d of world.devices) {
    d.link.online = true;
    d.link.fault = 'none';
    if (!d.link.cookie) d.link.cookie = (await signIn(world, d.email)).cookie; // contract 8: sign in again
    for (const t of d.tabs) if (t.engine.status().phase === 'signed-out' || t.engine.status().phase === 'update-required') await t.engine.resume();
  }
  for (let round = 0; round < 12; round++) {
    let moved = 0;
    for (const d of world.devices) {
      for (const [i, t] of d.tabs.entries()) {
        const r = await t.engine.syncNow('manual');
        expect(r.outcome, `device ${d.index} tab ${i} drain in round ${round}`).toBe('synced');
        moved += r.pushed;
      }
    }
    if (moved === 0) return;
  }
  throw new Error('the devices did not quiesce in 12 rounds');
}

const ENTITY_TABLE = { job: 'jobs', report: 'reports', punch: 'punches' } as const;

async function checkInvariants(world: World): Promise<void> {
  const sql = new Database(world.file, { readonly: true });
  try {
    // SY1: no device ever had two sends out at once, whatever its tabs did.
    expect(world.counts.parallelSends ?? 0, 'overlapping sends from one device').toBe(0);
    // PU3: no change id was applied twice.
    const twice = sql.prepare('SELECT change_id, COUNT(*) n FROM change_log GROUP BY change_id HAVING n > 1').all();
    expect(twice, 'change ids applied more than once').toEqual([]);
    // CF7: every entity's version equals the number of changes applied to it: nothing applied twice, nothing lost.
    for (const table of Object.values(ENTITY_TABLE)) {
      const mismatched = sql
        .prepare(
          `SELECT e.id, e.version, (SELECT COUNT(*) FROM change_log l WHERE l.entity_id = e.id AND l.org_id = e.org_id AND l.entity = ?) AS logged
           FROM ${table} e WHERE e.version <> logged`,
        )
        .all(table === 'jobs' ? 'job' : table === 'reports' ? 'report' : 'punch');
      expect(mismatched, `${table} whose version differs from their change count`).toEqual([]);
    }
    const receipts = new Map(
      (sql.prepare('SELECT change_id, receipt FROM receipts').all() as { change_id: string; receipt: string }[]).map((r) => [
        r.change_id,
        JSON.parse(r.receipt) as { status: string; code?: string },
      ]),
    );
    const logged = new Set((sql.prepare('SELECT change_id FROM change_log').all() as { change_id: string }[]).map((r) => r.change_id));

    // Every change a person saved reached the server and got exactly one answer.
    for (const [changeId, index] of world.made) {
      const receipt = receipts.get(changeId);
      expect(receipt, `change ${changeId} from device ${index} never reached the server`).toBeDefined();
      if (receipt?.status === 'applied' || receipt?.status === 'conflict') expect(logged.has(changeId)).toBe(true);
      else expect(logged.has(changeId)).toBe(false);
      world.counts[`receipt:${receipt?.status}`] = (world.counts[`receipt:${receipt?.status}`] ?? 0) + 1;
    }

    for (const d of world.devices) {
      // OB3: nothing left waiting; every settled row agrees with the server's answer.
      const rows = await listRows(d.db);
      expect(rows.filter((r) => r.state === 'pending' || r.state === 'sending'), `device ${d.index} outbox`).toEqual([]);
      for (const row of rows) {
        const receipt = receipts.get(row.changeId);
        const expected = row.state === 'acked' ? 'applied' : row.state;
        expect(receipt?.status, `device ${d.index} row ${row.changeId} is ${row.state}`).toBe(expected);
      }
      // PL1/PL2/RC2: the device shows exactly the server's state of what this person may see.
      const me = await world.storage.getUser(d.userId);
      if (!me) throw new Error('user vanished');
      const page = await world.storage.pull({ userId: me.id, orgId: me.orgId, role: me.role }, 0, 100_000);
      expect(page.more).toBe(false);
      for (const entity of ['job', 'report', 'punch'] as const satisfies readonly EntityName[]) {
        const expected = page.records
          .filter((r) => r.entity === entity && !r.revoked) // PL4: what this person may no longer see is gone
          .map((r) => toRecord(entity, r.entityId, r.version, r.deleted, r.fields))
          .sort((a, b) => a.id.localeCompare(b.id));
        const shown = (await d.db.table(ENTITY_TABLE[entity]).toArray()).sort((a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id));
        expect(shown, `device ${d.index} ${entity} records`).toEqual(expected);
      }
    }
  } finally {
    sql.close();
  }
}

let template = '';
beforeAll(async () => {
  template = await seedTemplate();
});
afterAll(removeWorlds);

describe('convergence: devices, the real engine and the real server (STYLE 8)', () => {
  const totals: Record<string, number> = {};

  afterAll(() => {
    console.log(`convergence: ${RUNS} schedules, counts ${JSON.stringify(totals)}`);
  });

  it(
    'PU3, PU7, PL3, RC2, SY1: at quiescence every replica equals the server; nothing lost, nothing applied twice',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(stepArb, { minLength: 5, maxLength: 40 }), fc.array(skewArb, { minLength: 4, maxLength: 4 }), async (steps, skews) => {
          const world = await createWorld(template, skews, DEFAULT_PEOPLE, 2);
          try {
            for (const step of steps) await runStep(world, step);
            await quiesce(world);
            await checkInvariants(world);
            for (const [k, v] of Object.entries(world.counts)) totals[k] = (totals[k] ?? 0) + v;
          } finally {
            await closeWorld(world);
          }
        }),
        { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: true, verbose: 1 },
      );
    },
    15 * 60_000,
  );
});
