import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Change, EntityState, Receipt } from '../../protocol/index.ts';
import { ChangeSchema, PAYLOAD_VERSION } from '../../protocol/index.ts';
import type { RawChange } from '../testing/fixtures.ts';
import { jobCreate, prep, punchCreate, raw, reportCreate } from '../testing/fixtures.ts';
import { needs, plan } from './plan.ts';
import { contentHashOf, prepareChange } from './prepare.ts';
import type { Actor, PlanInput, PlanOutput, StoredEntity, StoredReceipt } from './types.ts';
import { entityKey } from './types.ts';

const ORG = 'org-a';
const manager: Actor = { userId: 'maria', orgId: ORG, role: 'manager' };
const admin: Actor = { userId: 'adam', orgId: ORG, role: 'admin' };
const wes: Actor = { userId: 'wes', orgId: ORG, role: 'worker' };
const MEMBERS = new Set(['maria', 'adam', 'wes', 'ana']);

function state(entity: EntityState['entity'], entityId: string, fields: Record<string, unknown>, version = 1): EntityState {
  const clocks = Object.fromEntries(Object.keys(fields).map((k) => [k, { hlc: '0000000000001-0000-seed', version, device: 'seed' }]));
  return { entity, entityId, version, deleted: false, fields, clocks };
}

function stored(s: EntityState, lastSeq: number, scopeUserId: string | null = null): StoredEntity {
  return { orgId: ORG, state: s, lastSeq, scopeUserId };
}

const WES_JOB = 'job-wes';
const ANA_JOB = 'job-ana';
const baseEntities = () =>
  new Map<string, StoredEntity>([
    [entityKey('job', WES_JOB), stored(state('job', WES_JOB, { title: 'W', scheduledFor: '2030-01-01', status: 'scheduled', assigneeId: 'wes' }), 1)],
    [entityKey('job', ANA_JOB), stored(state('job', ANA_JOB, { title: 'A', scheduledFor: '2030-01-01', status: 'scheduled', assigneeId: 'ana' }), 2)],
  ]);

function run(actor: Actor, changes: RawChange[], over: Partial<PlanInput> = {}): PlanOutput {
  return plan({
    actor,
    changes: prep(...changes),
    receipts: new Map(),
    entities: baseEntities(),
    members: MEMBERS,
    nextSeq: 10,
    now: 1_000,
    ...over,
  });
}

const statuses = (out: PlanOutput) => out.receipts.map((r) => (r.status === 'refused' ? `refused:${r.code}` : r.status));
const reasonOf = (r: Receipt | undefined) => (r?.status === 'refused' ? r.reason : '');
const update = (entityId: string, fields: Record<string, unknown>, entity = 'job') => raw({ entity, entityId, fields, baseVersion: 1 });

describe('plan: permissions (PL2, SV4)', () => {
  it('PL2: a worker updates the status of their own job', () => {
    const out = run(wes, [update(WES_JOB, { status: 'in_progress' })]);
    expect(statuses(out)).toEqual(['applied']);
    expect(out.entities[0]?.state.fields.status).toBe('in_progress');
  });

  it('PL2: a worker may not change other fields of their job, and is told which and whom to ask', () => {
    const out = run(wes, [update(WES_JOB, { status: 'done', title: 'Mine now' })]);
    expect(statuses(out)).toEqual(['refused:forbidden']);
    expect(reasonOf(out.receipts[0])).toMatch(/only the status.*manager.*title/);
    expect(out.entities).toEqual([]);
  });

  it('PL2: a worker gets the same answer for a job of someone else and a job that does not exist', () => {
    const out = run(wes, [update(ANA_JOB, { status: 'done' }), update('no-such-job', { status: 'done' })]);
    expect(statuses(out)).toEqual(['refused:forbidden', 'refused:forbidden']);
    expect(reasonOf(out.receipts[0])).toBe(reasonOf(out.receipts[1]));
  });

  it('PL2: a worker cannot create jobs or delete anything', () => {
    const out = run(wes, [jobCreate(randomUUID(), 'wes'), raw({ entity: 'job', entityId: WES_JOB, op: 'delete', baseVersion: 1 })]);
    expect(statuses(out)).toEqual(['refused:forbidden', 'refused:forbidden']);
    expect(reasonOf(out.receipts[1])).toMatch(/manager/);
  });

  it('PL2: a worker records only their own punches', () => {
    const out = run(wes, [punchCreate('wes'), punchCreate('ana')]);
    expect(statuses(out)).toEqual(['applied', 'refused:forbidden']);
  });

  it('PL2: a worker writes the report of their job; its scope is the assignee', () => {
    const out = run(wes, [reportCreate(WES_JOB), reportCreate(ANA_JOB)]);
    expect(statuses(out)).toEqual(['applied', 'refused:forbidden']);
    expect(out.entities).toMatchObject([{ state: { entity: 'report', entityId: WES_JOB }, scopeUserId: 'wes' }]);
  });

  it("PL2: a report's id must be its job's id", () => {
    const out = run(manager, [raw({ entity: 'report', entityId: WES_JOB, op: 'create', fields: { jobId: ANA_JOB } })]);
    expect(statuses(out)).toEqual(['refused:invalid_change']);
  });

  it('PL2: a manager writing a report for a missing job gets not_found', () => {
    expect(statuses(run(manager, [reportCreate('ghost')]))).toEqual(['refused:not_found']);
  });

  it('PL2: managers and admins may do anything inside the organisation', () => {
    const out = run(admin, [
      jobCreate('new-job', 'ana'),
      update(WES_JOB, { title: 'Renamed', assigneeId: 'ana' }),
      punchCreate('wes'),
      raw({ entity: 'job', entityId: ANA_JOB, op: 'delete', baseVersion: 1 }),
    ]);
    expect(statuses(out)).toEqual(['applied', 'applied', 'applied', 'applied']);
  });

  it('SV4: a manager cannot assign work or punches to someone outside the organisation', () => {
    const out = run(manager, [jobCreate('j2', 'stranger'), punchCreate('stranger')]);
    expect(statuses(out)).toEqual(['refused:invalid_change', 'refused:invalid_change']);
  });
});

describe('plan: decisions', () => {
  it('CF7: sequence numbers start at nextSeq; refusals take none; lastSeq is the highest', () => {
    const out = run(manager, [jobCreate('j1', null), update('missing', { title: 'x' }), update('j1', { title: 'y' })]);
    expect(out.receipts.map((r) => (r.status === 'applied' ? r.seq : null))).toEqual([10, null, 11]);
    expect(out.log.map((l) => l.seq)).toEqual([10, 11]);
    expect(out.lastSeq).toBe(11);
    expect(out.entities).toMatchObject([{ lastSeq: 11, state: { version: 2 } }]);
  });

  it('CF7: a batch that changes nothing has no lastSeq', () => {
    expect(run(wes, [update(ANA_JOB, { status: 'done' })]).lastSeq).toBeNull();
  });

  it('PU1: later changes in a batch see earlier ones (report after its job)', () => {
    const out = run(manager, [jobCreate('j9', 'wes'), reportCreate('j9')]);
    expect(statuses(out)).toEqual(['applied', 'applied']);
    expect(out.entities.find((e) => e.state.entity === 'report')?.scopeUserId).toBe('wes');
  });

  it('PL2: reassigning a job moves its report to the new assignee at a fresh sequence number', () => {
    const entities = baseEntities();
    entities.set(entityKey('report', WES_JOB), stored(state('report', WES_JOB, { jobId: WES_JOB, notes: 'n' }), 5, 'wes'));
    const out = run(manager, [update(WES_JOB, { assigneeId: 'ana' })], { entities });
    expect(out.entities).toMatchObject([
      { state: { entity: 'job' }, lastSeq: 10 },
      { state: { entity: 'report', version: 1 }, lastSeq: 11, scopeUserId: 'ana' },
    ]);
    expect(out.log).toHaveLength(1);
    // PL4: Wes loses sight of the job and its report, at the next sequence numbers; Ana's access is restored.
    expect(out.revocations).toEqual([
      { orgId: manager.orgId, userId: 'wes', entity: 'job', entityId: WES_JOB, version: 2, seq: 12 },
      { orgId: manager.orgId, userId: 'wes', entity: 'report', entityId: WES_JOB, version: 1, seq: 13 },
    ]);
    expect(out.restored.map((r) => [r.userId, r.entity])).toEqual([
      ['ana', 'job'],
      ['ana', 'report'],
    ]);
    expect(out.lastSeq).toBe(13);
  });

  it('PL4: a job reassigned away and back in one batch stays visible to its assignee', () => {
    const away = update(WES_JOB, { assigneeId: 'ana' });
    const back = raw({ entity: 'job', entityId: WES_JOB, fields: { assigneeId: 'wes' }, baseVersion: 2 }); // a later stamp
    const out = run(manager, [away, back], { entities: baseEntities() });
    expect(out.receipts.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(out.revocations.map((r) => [r.userId, r.entity])).toEqual([['ana', 'job']]);
    expect(out.restored.filter((r) => r.userId === 'wes').map((r) => r.entity)).toEqual(['job', 'report']);
  });

  it('CF4: a review field changed by someone else is a conflict with a conflict row per field', () => {
    const entities = baseEntities();
    const s = state('job', WES_JOB, { title: 'W', status: 'cancelled', assigneeId: 'wes' }, 2);
    entities.set(entityKey('job', WES_JOB), stored(s, 3));
    const out = run(wes, [raw({ entity: 'job', entityId: WES_JOB, deviceId: 'phone', fields: { status: 'done' }, baseVersion: 1 })], { entities });
    expect(out.receipts[0]).toMatchObject({ status: 'conflict', version: 3, seq: 10, fields: [{ field: 'status', serverValue: 'cancelled', clientValue: 'done' }] });
    expect(out.conflicts).toMatchObject([{ field: 'status', entityId: WES_JOB }]);
    expect(out.log[0]?.outcome).toBe('conflict');
  });

  it('PU3: a stored receipt with the same content and person is a duplicate; anything else is id_reused', () => {
    const change = jobCreate('j1', null);
    const original = { changeId: change.id, status: 'applied', version: 1, seq: 3, superseded: [] } as const;
    const hash = contentHashOf(ChangeSchema.parse(change) as Change);
    const receipts = new Map<string, StoredReceipt>([[change.id, { userId: 'maria', contentHash: hash, receipt: original as never }]]);
    expect(run(manager, [change], { receipts }).receipts).toEqual([{ changeId: change.id, status: 'duplicate', original }]);
    const other = run(manager, [{ ...change, fields: { ...change.fields, title: 'else' } }], { receipts });
    expect(statuses(other)).toEqual(['refused:id_reused']);
    expect(other.rejections).toMatchObject([{ code: 'id_reused', changeId: change.id }]);
    expect(other.newReceipts).toEqual([]);
    const byAdmin = run(admin, [change], { receipts });
    expect(statuses(byAdmin)).toEqual(['refused:id_reused']);
    expect(reasonOf(byAdmin.receipts[0])).not.toContain('maria');
  });

  it('PU2: refusals are stored as receipts and recorded', () => {
    const out = run(wes, [update(ANA_JOB, { status: 'done' })]);
    expect(out.newReceipts).toHaveLength(1);
    expect(out.rejections).toMatchObject([{ code: 'forbidden', userId: 'wes' }]);
  });

  it('needs: the job of a report, the report of a reassigned job, and referenced people', () => {
    const n = needs(manager, prep(reportCreate('j1'), update('j2', { assigneeId: 'ana' }), punchCreate('wes'), raw({ entity: 'job', entityId: 'x', fields: { nope: 1 } })));
    expect(n.entities).toEqual([
      { entity: 'report', entityId: 'j1' },
      { entity: 'job', entityId: 'j1' },
      { entity: 'job', entityId: 'j2' },
      { entity: 'report', entityId: 'j2' },
      { entity: 'punch', entityId: expect.any(String) },
    ]);
    expect([...n.userIds].sort()).toEqual(['ana', 'wes']);
    expect(n.changeIds).toHaveLength(4);
  });
});

describe('prepareChange (PU2, PU6)', () => {
  const asRaw = (c: RawChange) => c as RawChange & { id: string };

  it('PU2: the first issue becomes the reason', () => {
    const r = prepareChange(asRaw(raw({ entity: 'job', entityId: 'j', baseVersion: -1, fields: { title: 'x' } })));
    expect(r).toMatchObject({ kind: 'refused', code: 'invalid_change', storeReceipt: true });
    expect(r.kind === 'refused' && r.reason).toMatch(/^baseVersion: /);
  });

  it('PU2: field keys naming Object.prototype members are refused, not crashed on', () => {
    for (const key of ['constructor', 'toString', 'hasOwnProperty', 'constructor.x', 'valueOf']) {
      const r = prepareChange(asRaw(raw({ entity: 'report', entityId: 'j', fields: { [key]: 1 } })));
      expect(r).toMatchObject({ kind: 'refused', code: 'invalid_change' });
    }
  });

  it('PU6: a newer payload is refused payload_too_new and not stored', () => {
    const r = prepareChange(asRaw(raw({ entity: 'job', entityId: 'j', fields: { brandNew: 1 }, payloadVersion: PAYLOAD_VERSION + 1 })));
    expect(r).toMatchObject({ kind: 'refused', code: 'payload_too_new', storeReceipt: false });
  });

  it('PU6: an older payload is migrated forward and then checked', () => {
    const migrations = { 1: (c: Change) => ({ ...c, fields: { title: String(c.fields.name ?? '') } }) };
    const old = raw({ entity: 'job', entityId: 'j', fields: { name: 'Legacy' }, payloadVersion: 1 });
    const r = prepareChange(asRaw(old), { payloadVersion: 2, migrations });
    expect(r.kind).toBe('valid');
    expect(r.kind === 'valid' && r.change).toMatchObject({ payloadVersion: 2, fields: { title: 'Legacy' } });
    const missing = prepareChange(asRaw(old), { payloadVersion: 2, migrations: {} });
    expect(missing).toMatchObject({ kind: 'refused', code: 'invalid_change' });
  });

  it('PU3: the content hash is SHA-256 of the canonical change content', () => {
    const c = jobCreate('j', null);
    const r = prepareChange(asRaw(c));
    expect(r.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.contentHash).toBe(prepareChange(asRaw({ ...c, fields: Object.fromEntries(Object.entries(c.fields).reverse()) })).contentHash);
    expect(r.contentHash).not.toBe(prepareChange(asRaw({ ...c, hlc: '9999999999999-0000-x' })).contentHash);
  });
});
