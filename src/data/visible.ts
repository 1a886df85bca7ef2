import { rebase, toFields, toRecord } from '../../protocol/index.ts';
import type { Change, EntityName, EntityState, JobRecord, PunchRecord, ReportRecord } from '../../protocol/index.ts';
import { visibleTable } from './db.ts';
import type { BaseRow, EntityKey, OutboxRow, OutpostDb } from './db.ts';

/** The protocol change an outbox row stands for (built at send time, FIELD-NOTES). */
export function rowToChange(row: OutboxRow): Change {
  return {
    id: row.changeId,
    deviceId: row.deviceId,
    entity: row.entity,
    entityId: row.entityId,
    op: row.op,
    fields: row.fields,
    hlc: row.hlc,
    baseVersion: row.baseVersion,
    payloadVersion: row.payloadVersion,
  };
}

/** A fresh outbox row for a change: pending, never sent (OB3). */
export function pendingRow(change: Change, now: number): Omit<OutboxRow, 'seq'> {
  return {
    changeId: change.id,
    deviceId: change.deviceId,
    entity: change.entity,
    entityId: change.entityId,
    op: change.op,
    fields: change.fields,
    hlc: change.hlc,
    baseVersion: change.baseVersion,
    payloadVersion: change.payloadVersion,
    state: 'pending',
    attempts: 0,
    lastError: null,
    createdAt: now,
    updatedAt: now,
    receipt: null,
  };
}

/**
 * RC2: is this row one of the device's "own changes" replayed on the base?
 * pending and sending always; acked only while its receipt version is above
 * the base version; refused and conflict never.
 */
export function isReplayed(row: OutboxRow, baseVersion: number): boolean {
  switch (row.state) {
    case 'pending':
    case 'sending':
      return true;
    case 'acked':
      return row.receipt?.status === 'applied' && row.receipt.version > baseVersion;
    default:
      return false;
  }
}

/** RC2: the state the device shows for one entity. `rows` must be in outbox (seq) order. */
export function visibleState(base: BaseRow | null, rows: readonly OutboxRow[]): EntityState | null {
  const baseVersion = base?.version ?? 0;
  return rebase(base, rows.filter((r) => isReplayed(r, baseVersion)).map(rowToChange));
}

export const keyOf = (entity: EntityName, entityId: string): string => `${entity}\u0000${entityId}`;

type AnyRecord = JobRecord | ReportRecord | PunchRecord;

/**
 * RC4: the base an entity's visible record stands for, when the entity has neither a base row nor
 * outbox rows (its visible record is then exactly the server state last pulled). The per-field clocks
 * are not kept for such an entity: the device only replays its own later changes on this base, and
 * those order after every server stamp it has seen (SY6), so no clock would change the outcome.
 */
export function baseFromRecord(entity: EntityName, record: AnyRecord): BaseRow {
  return {
    entity,
    entityId: record.id,
    version: record.version,
    deleted: record.deleted,
    fields: toFields(entity, record as never),
    clocks: {},
  };
}

/**
 * RC4: before the first own change of an entity is queued, keep its base as a base row. Call inside a
 * `rw` transaction over `rebaseTables(db)`, for keys that have no outbox rows yet; `base` is what the
 * base table holds for the key. Returns the base (or null for an entity the device never pulled).
 */
export async function materializeBaseInTx(db: OutpostDb, key: EntityKey, base: BaseRow | undefined): Promise<BaseRow | null> {
  if (base) return base;
  const record = await visibleTable(db, key[0]).get(key[1]);
  if (!record) return null;
  const derived = baseFromRecord(key[0], record);
  await db.base.put(derived);
  return derived;
}

/**
 * Recompute and store the visible records of `keys` from base + own changes
 * (RC2). A key with neither a base row nor outbox rows is a synced entity
 * whose visible record is its base (RC4): it is left as it is (to forget one,
 * delete its visible record, PL4). Must run inside a `rw` transaction over `rebaseTables(db)`. Uses one
 * indexed read for the outbox and bulk reads/writes. Returns the number rebased.
 */
export async function rebaseKeysInTx(db: OutpostDb, keys: readonly EntityKey[]): Promise<number> {
  const unique = new Map<string, EntityKey>();
  for (const k of keys) unique.set(keyOf(k[0], k[1]), k);
  if (unique.size === 0) return 0;
  const list = [...unique.values()];
  const [bases, rows] = await Promise.all([
    db.base.bulkGet(list.map((k) => [k[0], k[1]] as EntityKey)),
    db.outbox.where('[entity+entityId]').anyOf(list.map((k) => [k[0], k[1]])).toArray(),
  ]);
  const byKey = new Map<string, OutboxRow[]>();
  for (const row of rows.sort((a, b) => a.seq - b.seq)) {
    const k = keyOf(row.entity, row.entityId);
    const group = byKey.get(k);
    if (group) group.push(row);
    else byKey.set(k, [row]);
  }
  const puts: Record<EntityName, AnyRecord[]> = { job: [], report: [], punch: [] };
  const deletes: Record<EntityName, string[]> = { job: [], report: [], punch: [] };
  let rebased = 0;
  list.forEach(([entity, entityId], i) => {
    const own = byKey.get(keyOf(entity, entityId));
    if (!bases[i] && !own) return; // RC4
    rebased++;
    const state = visibleState(bases[i] ?? null, own ?? []);
    if (state) puts[entity].push(toRecord(entity, entityId, state.version, state.deleted, state.fields));
    else deletes[entity].push(entityId);
  });
  await Promise.all([
    puts.job.length ? db.jobs.bulkPut(puts.job as JobRecord[]) : null,
    puts.report.length ? db.reports.bulkPut(puts.report as ReportRecord[]) : null,
    puts.punch.length ? db.punches.bulkPut(puts.punch as PunchRecord[]) : null,
    deletes.job.length ? db.jobs.bulkDelete(deletes.job) : null,
    deletes.report.length ? db.reports.bulkDelete(deletes.report) : null,
    deletes.punch.length ? db.punches.bulkDelete(deletes.punch) : null,
  ]);
  return rebased;
}
