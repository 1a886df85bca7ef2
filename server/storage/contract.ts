import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OriginalReceipt, Receipt } from '../../protocol/index.ts';
import { finalReceipt } from '../../protocol/index.ts';
import type { RawChange, World } from '../testing/fixtures.ts';
import { jobCreate, makeWorld, nextHlc, prep, pullAll, punchCreate, raw, reportCreate } from '../testing/fixtures.ts';
import type { OpenOptions, ServerStorage } from './types.ts';

function only(receipts: Receipt[]): OriginalReceipt {
  expect(receipts).toHaveLength(1);
  return finalReceipt(receipts[0] as Receipt);
}

function applied(r: Receipt | undefined): { version: number; seq: number; superseded: string[] } {
  if (r?.status !== 'applied') throw new Error(`expected applied, got ${JSON.stringify(r)}`);
  return r;
}

/**
 * The behaviour every ServerStorage must have. Run it from `<kind>.test.ts`
 * with a function that opens a fresh, empty storage (e.g. postgres.pg.test.ts later).
 */
export function runStorageContract(name: string, open: (options?: OpenOptions) => Promise<ServerStorage>): void {
  describe(`storage contract: ${name}`, () => {
    let storage: ServerStorage;
    let w: World;
    beforeEach(async () => {
      storage = await open();
      w = await makeWorld(storage);
    });
    afterEach(async () => {
      await storage.close();
    });

    describe('people', () => {
      it('creates organisations and users, finds them by email without case, lists an org', async () => {
        const org = await storage.createOrg({ name: 'Acme' });
        const user = await storage.createUser({ orgId: org.id, email: 'Kim@Acme.test', name: 'Kim', role: 'admin', passwordHash: 'h1' });
        expect(await storage.findUserByEmail('kim@acme.test')).toEqual({ ...user, passwordHash: 'h1' });
        expect(await storage.getUser(user.id)).toEqual(user);
        expect(await storage.listUsers(org.id)).toEqual([user]);
        expect(await storage.getUser('nobody')).toBeNull();
        expect(await storage.findUserByEmail('nobody@acme.test')).toBeNull();
        expect(await storage.countUsers()).toBe(6);
      });

      it('refuses a second user with the same email', async () => {
        const org = await storage.createOrg({ name: 'Acme' });
        await storage.createUser({ orgId: org.id, email: 'a@acme.test', name: 'A', role: 'worker', passwordHash: 'h' });
        await expect(storage.createUser({ orgId: org.id, email: 'A@acme.test', name: 'B', role: 'worker', passwordHash: 'h' })).rejects.toThrow();
      });
    });

    describe('sessions', () => {
      it('AU1: stores a session by token hash and deletes it', async () => {
        const s = { tokenHash: 'a'.repeat(64), userId: w.wes.userId, expiresAt: 2_000, createdAt: 1_000 };
        await storage.createSession(s);
        expect(await storage.getSession(s.tokenHash)).toEqual(s);
        await storage.deleteSession(s.tokenHash);
        expect(await storage.getSession(s.tokenHash)).toBeNull();
      });

      it('AU2: deleteExpiredSessions removes only expired sessions', async () => {
        await storage.createSession({ tokenHash: 'old', userId: w.wes.userId, expiresAt: 1_000, createdAt: 0 });
        await storage.createSession({ tokenHash: 'new', userId: w.wes.userId, expiresAt: 5_000, createdAt: 0 });
        expect(await storage.deleteExpiredSessions(1_000)).toBe(1);
        expect(await storage.getSession('old')).toBeNull();
        expect(await storage.getSession('new')).not.toBeNull();
      });
    });

    describe('applyBatch', () => {
      it('PU1/CF7: receipts in order, versions count up, sequence numbers grow, refusals take none', async () => {
        const jobId = randomUUID();
        const before = await storage.latestSeq();
        const result = await storage.applyBatch(w.manager, prep(
          jobCreate(jobId, w.wes.userId),
          raw({ entity: 'job', entityId: jobId, fields: { title: 'Renamed' }, baseVersion: 1 }),
          raw({ entity: 'job', entityId: randomUUID(), fields: { title: 'Missing' } }),
          raw({ entity: 'job', entityId: jobId, fields: { site: 'Yard' }, baseVersion: 2 }),
        ));
        const [a, b, c, d] = result.receipts;
        expect(applied(a).version).toBe(1);
        expect(applied(b).version).toBe(2);
        expect(c).toMatchObject({ status: 'refused', code: 'not_found' });
        expect(applied(d).version).toBe(3);
        expect(applied(a).seq).toBeGreaterThan(before);
        expect(applied(b).seq).toBe(applied(a).seq + 1);
        expect(applied(d).seq).toBe(applied(b).seq + 1);
        expect(result.lastSeq).toBe(applied(d).seq);
        expect(await storage.latestSeq()).toBe(applied(d).seq);
        const { records } = await pullAll(storage, w.manager);
        expect(records.filter((r) => r.entityId === jobId)).toMatchObject([{ version: 3, fields: { title: 'Renamed', site: 'Yard' } }]);
      });

      it('PU3: same id and same content returns the original receipt and changes nothing', async () => {
        const change = jobCreate(randomUUID(), null);
        const first = await storage.applyBatch(w.manager, prep(change));
        const seq = await storage.latestSeq();
        const second = await storage.applyBatch(w.manager, prep(change));
        expect(second.receipts).toEqual([{ changeId: change.id, status: 'duplicate', original: first.receipts[0] }]);
        expect(second.lastSeq).toBeNull();
        expect(await storage.latestSeq()).toBe(seq);
        const { records } = await pullAll(storage, w.manager);
        expect(records.find((r) => r.entityId === change.entityId)?.version).toBe(1);
      });

      it('PU3: a repeat inside one batch is a duplicate of the first', async () => {
        const change = jobCreate(randomUUID(), null);
        const { receipts } = await storage.applyBatch(w.manager, prep(change, change));
        expect(receipts[1]).toEqual({ changeId: change.id, status: 'duplicate', original: receipts[0] });
      });

      it('PU3: same id with other content is refused id_reused, recorded and not applied', async () => {
        const change = jobCreate(randomUUID(), null);
        await storage.applyBatch(w.manager, prep(change));
        const reused: RawChange = { ...change, fields: { ...change.fields, title: 'Other' } };
        const r = only((await storage.applyBatch(w.manager, prep(reused))).receipts);
        expect(r).toMatchObject({ status: 'refused', code: 'id_reused' });
        const { records } = await pullAll(storage, w.manager);
        expect(records.find((x) => x.entityId === change.entityId)?.fields.title).toBe(change.fields.title);
        expect((await storage.listRejections(w.manager.orgId)).map((x) => [x.changeId, x.code])).toContainEqual([change.id, 'id_reused']);
      });

      it("PU3: another person's change id is refused the same way, revealing nothing", async () => {
        const theirs = jobCreate(randomUUID(), null);
        await storage.applyBatch(w.otherManager, prep(theirs));
        const r = only((await storage.applyBatch(w.manager, prep(theirs))).receipts);
        expect(r).toMatchObject({ status: 'refused', code: 'id_reused' });
        expect(JSON.stringify(r)).not.toContain(w.otherManager.userId);
        expect((await pullAll(storage, w.manager)).records).toEqual([]);
      });

      it('PU2: an invalid change is refused with its reason, stored, and a resend gets the same answer', async () => {
        const bad = raw({ entity: 'job', entityId: randomUUID(), fields: { status: 'exploded' } });
        const good = jobCreate(randomUUID(), null);
        const first = await storage.applyBatch(w.manager, prep(bad, good));
        expect(first.receipts[0]).toMatchObject({ status: 'refused', code: 'invalid_change' });
        expect(first.receipts[1]?.status).toBe('applied');
        const again = await storage.applyBatch(w.manager, prep(bad));
        expect(again.receipts).toEqual([{ changeId: bad.id, status: 'duplicate', original: first.receipts[0] }]);
      });

      it('PU4: a batch that fails while writing leaves no trace, and the resend applies', async () => {
        let failOn: string | null = null;
        const s = await open({ hooks: { afterLogRow: (id) => { if (id === failOn) throw new Error('injected failure'); } } });
        try {
          const ww = await makeWorld(s);
          const a = jobCreate(randomUUID(), null);
          const b = jobCreate(randomUUID(), null);
          const bad = raw({ entity: 'job', entityId: randomUUID(), fields: { status: 'nope' } });
          failOn = b.id;
          await expect(s.applyBatch(ww.manager, prep(a, bad, b))).rejects.toThrow('injected failure');
          expect(await s.latestSeq()).toBe(0);
          expect((await pullAll(s, ww.manager)).records).toEqual([]);
          expect(await s.listRejections(ww.manager.orgId)).toEqual([]);
          failOn = null;
          const retry = await s.applyBatch(ww.manager, prep(a, bad, b));
          expect(retry.receipts.map((r) => r.status)).toEqual(['applied', 'refused', 'applied']);
        } finally {
          await s.close();
        }
      });

      it('CF1: a field from an older edit is superseded and reported', async () => {
        const jobId = randomUUID();
        const older = nextHlc('dev-b');
        await storage.applyBatch(w.manager, prep(jobCreate(jobId, null)));
        await storage.applyBatch(w.manager, prep(raw({ entity: 'job', entityId: jobId, fields: { title: 'Newer' }, baseVersion: 1 })));
        const r = only((await storage.applyBatch(w.manager, prep(raw({ entity: 'job', entityId: jobId, deviceId: 'dev-b', hlc: older, fields: { title: 'Older', site: 'Depot' }, baseVersion: 1 })))).receipts);
        expect(r).toMatchObject({ status: 'applied', version: 3, superseded: ['title'] });
        const { records } = await pullAll(storage, w.manager);
        expect(records[0]?.fields).toMatchObject({ title: 'Newer', site: 'Depot' });
      });

      it('CF4: a concurrent status change is a conflict; the server value stays and a conflict row is open', async () => {
        const jobId = randomUUID();
        await storage.applyBatch(w.manager, prep(jobCreate(jobId, w.wes.userId)));
        await storage.applyBatch(w.manager, prep(raw({ entity: 'job', entityId: jobId, deviceId: 'mgr', fields: { status: 'cancelled' }, baseVersion: 1 })));
        const r = only((await storage.applyBatch(w.wes, prep(raw({ entity: 'job', entityId: jobId, deviceId: 'wes-phone', fields: { status: 'done' }, baseVersion: 1 })))).receipts);
        expect(r).toMatchObject({ status: 'conflict', version: 3, fields: [{ field: 'status', serverValue: 'cancelled', clientValue: 'done' }] });
        const conflicts = await storage.listConflicts(w.manager.orgId);
        expect(conflicts).toMatchObject([{ entity: 'job', entityId: jobId, field: 'status', serverValue: 'cancelled', clientValue: 'done', status: 'open' }]);
        expect(await storage.listConflicts(w.otherManager.orgId)).toEqual([]);
        const { records } = await pullAll(storage, w.wes);
        expect(records[0]).toMatchObject({ version: 3, fields: { status: 'cancelled' } });
      });

      it('CF3: punches are append-only', async () => {
        const p = punchCreate(w.wes.userId);
        await storage.applyBatch(w.wes, prep(p));
        const r = only((await storage.applyBatch(w.wes, prep(raw({ entity: 'punch', entityId: p.entityId, fields: { kind: 'clock_out' }, baseVersion: 1 })))).receipts);
        expect(r).toMatchObject({ status: 'refused', code: 'append_only' });
      });

      it("PL2: another organisation's job looks missing and stays untouched", async () => {
        const jobId = randomUUID();
        await storage.applyBatch(w.manager, prep(jobCreate(jobId, w.wes.userId, { title: 'Secret' })));
        const upd = only((await storage.applyBatch(w.otherManager, prep(raw({ entity: 'job', entityId: jobId, fields: { title: 'Hacked' }, baseVersion: 1 })))).receipts);
        expect(upd).toMatchObject({ status: 'refused', code: 'not_found' });
        const del = only((await storage.applyBatch(w.otherManager, prep(raw({ entity: 'job', entityId: jobId, op: 'delete', baseVersion: 1 })))).receipts);
        expect(del).toMatchObject({ status: 'refused', code: 'not_found' });
        const { records } = await pullAll(storage, w.manager);
        expect(records).toMatchObject([{ entityId: jobId, version: 1, deleted: false, fields: { title: 'Secret' } }]);
      });
    });

    describe('pushes at the same time (PU8)', () => {
      it('each push gets the receipts it would get alone, in arrival order, with its own permissions', async () => {
        const jobId = randomUUID();
        const anaJob = randomUUID();
        await storage.applyBatch(w.manager, prep(jobCreate(anaJob, w.ana.userId)));
        const create = jobCreate(jobId, w.wes.userId);
        const invalid = raw({ entity: 'job', entityId: randomUUID(), fields: { status: 'exploded' } });
        const punch = punchCreate(w.wes.userId);
        const reused: RawChange = { ...create, fields: { ...create.fields, title: 'Other' } };
        const notMine = raw({ entity: 'job', entityId: anaJob, deviceId: 'wes-phone', fields: { title: 'Mine now' }, baseVersion: 1 });
        const [a, b] = await Promise.all([
          storage.applyBatch(w.manager, prep(create, invalid)),
          storage.applyBatch(w.wes, prep(punch, reused, notMine)),
        ]);
        expect(a.receipts.map((r) => [r.changeId, r.status])).toEqual([[create.id, 'applied'], [invalid.id, 'refused']]);
        expect(a.receipts[1]).toMatchObject({ code: 'invalid_change' });
        expect(b.receipts.map((r) => [r.changeId, r.status])).toEqual([[punch.id, 'applied'], [reused.id, 'refused'], [notMine.id, 'refused']]);
        expect(b.receipts[1]).toMatchObject({ code: 'id_reused' });
        expect(b.receipts[2]).toMatchObject({ code: 'forbidden' });
        // Arrival order: the first push's changes come first in the sequence, each push's lastSeq is its own.
        expect(a.lastSeq).toBe(applied(a.receipts[0]).seq);
        expect(b.lastSeq).toBe(applied(b.receipts[0]).seq);
        expect(applied(b.receipts[0]).seq).toBe(applied(a.receipts[0]).seq + 1);
        const { records } = await pullAll(storage, w.manager);
        expect(records.find((r) => r.entityId === jobId)?.fields.title).toBe(create.fields.title);
        expect(records.find((r) => r.entityId === anaJob)?.version).toBe(1);
        expect((await storage.listRejections(w.manager.orgId)).map((x) => x.code).sort()).toEqual(['forbidden', 'id_reused', 'invalid_change']);
      });

      it('PU3: the same push sent twice at once is applied once; the second is answered with the original receipts', async () => {
        const changes = [jobCreate(randomUUID(), null), raw({ entity: 'job', entityId: randomUUID(), fields: { status: 'nope' } }), punchCreate(w.wes.userId)];
        const [first, second] = await Promise.all([storage.applyBatch(w.manager, prep(...changes)), storage.applyBatch(w.manager, prep(...changes))]);
        expect(first.receipts.map((r) => r.status)).toEqual(['applied', 'refused', 'applied']);
        expect(second.receipts).toEqual(first.receipts.map((original) => ({ changeId: original.changeId, status: 'duplicate', original })));
        expect(second.lastSeq).toBeNull();
        expect(await storage.latestSeq()).toBe(first.lastSeq);
        const later = await storage.applyBatch(w.manager, prep(...changes));
        expect(later.receipts).toEqual(second.receipts);
      });

      it('many pushes at once: every change applied once, sequence numbers unique and without gaps', async () => {
        const before = await storage.latestSeq();
        const pushes = Array.from({ length: 12 }, (_, i) => prep(...Array.from({ length: 1 + (i % 4) }, () => punchCreate(w.wes.userId))));
        const results = await Promise.all(pushes.map((p) => storage.applyBatch(w.wes, p)));
        const seqs = results.flatMap((r) => r.receipts.map((x) => applied(x).seq));
        const total = pushes.reduce((n, p) => n + p.length, 0);
        expect(seqs).toEqual(Array.from({ length: total }, (_, i) => before + 1 + i));
        results.forEach((r) => expect(r.lastSeq).toBe(Math.max(...r.receipts.map((x) => applied(x).seq))));
        expect((await pullAll(storage, w.wes)).records).toHaveLength(total);
      });

      it('PU4: a push that fails while writing fails alone; pushes sent with it are applied', async () => {
        let failOn: string | null = null;
        const s = await open({ hooks: { afterLogRow: (id) => { if (id === failOn) throw new Error('injected failure'); } } });
        try {
          const ww = await makeWorld(s);
          const a = jobCreate(randomUUID(), null);
          const b1 = jobCreate(randomUUID(), null);
          const b2 = jobCreate(randomUUID(), null);
          const c = punchCreate(ww.wes.userId);
          failOn = b2.id;
          const [ra, rb, rc] = await Promise.allSettled([
            s.applyBatch(ww.manager, prep(a)),
            s.applyBatch(ww.manager, prep(b1, b2)),
            s.applyBatch(ww.wes, prep(c)),
          ]);
          expect(rb).toMatchObject({ status: 'rejected', reason: { message: 'injected failure' } });
          if (ra.status !== 'fulfilled' || rc.status !== 'fulfilled') throw new Error('the other pushes failed');
          expect(ra.value.receipts.map((r) => r.status)).toEqual(['applied']);
          expect(rc.value.receipts.map((r) => r.status)).toEqual(['applied']);
          const ids = (await pullAll(s, ww.manager)).records.map((r) => r.entityId).sort();
          expect(ids).toEqual([a.entityId, c.entityId].sort());
          expect(await s.latestSeq()).toBe(2);
          failOn = null;
          const retry = await s.applyBatch(ww.manager, prep(b1, b2));
          expect(retry.receipts.map((r) => r.status)).toEqual(['applied', 'applied']);
          expect((await s.applyBatch(ww.manager, prep(a))).receipts[0]).toMatchObject({ status: 'duplicate' });
        } finally {
          await s.close();
        }
      });
    });

    describe('pull', () => {
      it('PL1: pages by cursor with `more`, each entity once at its latest version', async () => {
        const ids = Array.from({ length: 5 }, () => randomUUID());
        await storage.applyBatch(w.manager, prep(...ids.map((id) => jobCreate(id, null))));
        await storage.applyBatch(w.manager, prep(raw({ entity: 'job', entityId: ids[0] as string, fields: { title: 'Latest' }, baseVersion: 1 })));
        const first = await storage.pull(w.manager, 0, 2);
        expect(first.records).toHaveLength(2);
        expect(first.more).toBe(true);
        const seen = [...first.records];
        let cursor = first.cursor;
        for (;;) {
          const page = await storage.pull(w.manager, cursor, 2);
          seen.push(...page.records);
          cursor = page.cursor;
          if (!page.more) break;
        }
        expect(seen.map((r) => r.entityId).sort()).toEqual([...ids].sort());
        expect(seen.at(-1)).toMatchObject({ entityId: ids[0], version: 2, fields: { title: 'Latest' } });
        expect(cursor).toBe(await storage.latestSeq());
        const empty = await storage.pull(w.manager, cursor, 10);
        expect(empty).toEqual({ records: [], cursor, more: false });
      });

      it('PL1: the last page ends at the newest sequence number, also when the newest changes are not the person\'s', async () => {
        const wesJob = randomUUID();
        await storage.applyBatch(w.manager, prep(jobCreate(wesJob, w.wes.userId)));
        const mine = await storage.pull(w.wes, 0, 10);
        await storage.applyBatch(w.ana, prep(punchCreate(w.ana.userId), punchCreate(w.ana.userId)));
        await storage.applyBatch(w.otherManager, prep(jobCreate(randomUUID(), w.otherWorker.userId)));
        const latest = await storage.latestSeq();
        expect(mine.records.map((r) => r.entityId)).toEqual([wesJob]);
        const after = await storage.pull(w.wes, mine.cursor, 10);
        expect(after).toEqual({ records: [], cursor: latest, more: false });
        // From there on only what is theirs comes, and nothing is skipped.
        await storage.applyBatch(w.manager, prep(raw({ entity: 'job', entityId: wesJob, fields: { title: 'Moved' }, baseVersion: 1 })));
        const next = await storage.pull(w.wes, after.cursor, 10);
        expect(next.records).toMatchObject([{ entityId: wesJob, version: 2 }]);
        expect(next.cursor).toBe(await storage.latestSeq());
      });

      it('PL2: a worker receives their own punches, their jobs and those reports; a manager the whole organisation', async () => {
        const wesJob = randomUUID();
        const anaJob = randomUUID();
        await storage.applyBatch(w.manager, prep(jobCreate(wesJob, w.wes.userId), jobCreate(anaJob, w.ana.userId)));
        await storage.applyBatch(w.wes, prep(punchCreate(w.wes.userId), reportCreate(wesJob)));
        await storage.applyBatch(w.ana, prep(punchCreate(w.ana.userId), reportCreate(anaJob)));
        await storage.applyBatch(w.otherManager, prep(jobCreate(randomUUID(), w.otherWorker.userId)));

        const wes = (await pullAll(storage, w.wes)).records;
        expect(wes.map((r) => r.entity).sort()).toEqual(['job', 'punch', 'report']);
        expect(wes.every((r) => r.entityId === wesJob || r.fields.userId === w.wes.userId)).toBe(true);
        expect(JSON.stringify(wes)).not.toContain(w.ana.userId);

        const manager = (await pullAll(storage, w.manager)).records;
        expect(manager).toHaveLength(6);
        const other = (await pullAll(storage, w.otherManager)).records;
        expect(other).toHaveLength(1);
        expect(JSON.stringify(other)).not.toContain(w.manager.orgId);
        expect((await pullAll(storage, w.otherWorker)).records).toHaveLength(1);
      });

      it('PL5: the priority pull gives the jobs this person may see in the date range, soonest first, then their reports', async () => {
        const [early, late, outside, anas, gone] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
        await storage.applyBatch(
          w.manager,
          prep(
            jobCreate(late, w.wes.userId, { scheduledFor: '2030-01-05' }),
            jobCreate(early, w.wes.userId, { scheduledFor: '2030-01-01' }),
            jobCreate(outside, w.wes.userId, { scheduledFor: '2030-02-01' }),
            jobCreate(anas, w.ana.userId, { scheduledFor: '2030-01-02' }),
            jobCreate(gone, w.wes.userId, { scheduledFor: '2030-01-03' }),
          ),
        );
        await storage.applyBatch(w.manager, prep(raw({ entity: 'job', entityId: gone, op: 'delete', fields: {}, baseVersion: 1 })));
        await storage.applyBatch(w.wes, prep(reportCreate(late, 'Late report'), reportCreate(outside)));
        await storage.applyBatch(w.otherManager, prep(jobCreate(randomUUID(), w.otherWorker.userId, { scheduledFor: '2030-01-02' })));

        const wes = await storage.pullPriority(w.wes, '2030-01-01', '2030-01-07', 500);
        expect(wes.map((r) => [r.entity, r.entityId])).toEqual([
          ['job', early],
          ['job', late],
          ['report', late],
        ]);
        expect(wes[2]).toMatchObject({ version: 1, deleted: false, fields: { notes: 'Late report' } });
        expect(Object.keys(wes[0]?.clocks ?? {})).toContain('scheduledFor');
        const maria = await storage.pullPriority(w.manager, '2030-01-01', '2030-01-07', 500);
        expect(maria.filter((r) => r.entity === 'job').map((r) => r.entityId)).toEqual([early, anas, late]);
        expect(await storage.pullPriority(w.wes, '2030-01-01', '2030-01-07', 2)).toHaveLength(1);
        expect(await storage.pullPriority(w.otherWorker, '2030-01-01', '2030-01-07', 500)).toHaveLength(1);
      });

      it('PL2: reassigning a job brings its report to the new assignee on their next pull', async () => {
        const jobId = randomUUID();
        await storage.applyBatch(w.manager, prep(jobCreate(jobId, w.wes.userId)));
        await storage.applyBatch(w.wes, prep(reportCreate(jobId, 'Half done')));
        const anaBefore = await pullAll(storage, w.ana);
        expect(anaBefore.records).toEqual([]);
        await storage.applyBatch(w.manager, prep(raw({ entity: 'job', entityId: jobId, fields: { assigneeId: w.ana.userId }, baseVersion: 1 })));
        const anaAfter = await pullAll(storage, w.ana, 1000, anaBefore.cursor);
        expect(anaAfter.records.map((r) => r.entity).sort()).toEqual(['job', 'report']);
        expect(anaAfter.records.some((r) => r.revoked)).toBe(false);
        // PL4: Wes is told to forget both, and learns nothing about them.
        const wes = await pullAll(storage, w.wes);
        expect(wes.records.map((r) => [r.entity, r.entityId, r.revoked, r.deleted, r.fields]).sort()).toEqual([
          ['job', jobId, true, true, {}],
          ['report', jobId, true, true, {}],
        ]);
      });

      it('PL4: a job given back to its first assignee is theirs again and revoked for the other', async () => {
        const jobId = randomUUID();
        await storage.applyBatch(w.manager, prep(jobCreate(jobId, w.wes.userId)));
        const wesStart = await pullAll(storage, w.wes);
        await storage.applyBatch(w.manager, prep(raw({ entity: 'job', entityId: jobId, fields: { assigneeId: w.ana.userId }, baseVersion: 1 })));
        const wesMid = await pullAll(storage, w.wes, 1000, wesStart.cursor);
        expect(wesMid.records.map((r) => [r.entityId, r.revoked])).toEqual([[jobId, true]]);
        await storage.applyBatch(w.manager, prep(raw({ entity: 'job', entityId: jobId, fields: { assigneeId: w.wes.userId }, baseVersion: 2 })));
        const wesEnd = await pullAll(storage, w.wes, 1000, wesMid.cursor);
        expect(wesEnd.records).toMatchObject([{ entity: 'job', entityId: jobId, version: 3, deleted: false }]);
        expect(wesEnd.records[0]?.revoked).toBeUndefined();
        // From the start, Wes's pull has the job and no revocation for it.
        expect((await pullAll(storage, w.wes)).records.filter((r) => r.entityId === jobId).map((r) => r.revoked ?? false)).toEqual([false]);
        const ana = await pullAll(storage, w.ana);
        expect(ana.records.filter((r) => r.entityId === jobId).map((r) => r.revoked)).toEqual([true]);
      });
    });
  });
}
