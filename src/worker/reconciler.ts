import { stateFromPulled, toRecord } from '../../protocol/index.ts';
import type { EntityName, JobRecord, PulledRecord, PunchRecord, ReportRecord } from '../../protocol/index.ts';
import { rebaseTables } from '../data/db.ts';
import type { BaseRow, EntityKey, OutpostDb } from '../data/db.ts';
import { getMeta, mergeHlcInTx, setMeta } from '../data/meta.ts';
import { keyOf, rebaseKeysInTx } from '../data/visible.ts';

type AnyRecord = JobRecord | ReportRecord | PunchRecord;

/** What one reconcile did (RC3). */
export interface ReconcileReport {
  /** Pulled records written to the base (version higher than the base's, PL3). */
  applied: number;
  /** Pulled records ignored because the base already had that version or a later one (PL3). */
  stale: number;
  /** Entities whose visible record was recomputed (RC2). */
  rebased: number;
  /** Acked outbox rows removed because the base reached their receipt version (OB7). */
  pruned: number;
  /** Entities forgotten because the person may no longer see them (PL4). */
  revoked: number;
  /** Whether the cursor was stored (false when `fromCursor` no longer matched: a replayed page). */
  cursorStored: boolean;
}

export interface ReconcilerDeps {
  /** Wall clock for HLC merges (SY6). */
  now: () => number;
}

/**
 * The reconciler (RC1–RC3). Runs in the reconcile Web Worker (exposed with
 * Comlink) and directly in Node tests. All methods return structured-cloneable data.
 */
export function createReconciler(db: OutpostDb, deps: ReconcilerDeps = { now: () => Date.now() }) {
  /**
   * RC1, PL3: apply one pulled page in ONE transaction: base rows replaced only
   * by higher versions, cursor stored with them, server clock merged (SY6),
   * touched entities rebased (RC2), acked rows the base caught up with pruned.
   * `fromCursor` (the cursor the page was requested with) makes the cursor
   * store a compare-and-set, so a replayed old page cannot move it back.
   */
  async function applyPulled(
    records: PulledRecord[],
    cursor: string,
    serverHlc: string,
    fromCursor?: string | null,
  ): Promise<ReconcileReport> {
    return db.transaction('rw', [...rebaseTables(db), db.meta], async () => {
      const report: ReconcileReport = { applied: 0, stale: 0, revoked: 0, rebased: 0, pruned: 0, cursorStored: false };
      const keys = records.map((r) => [r.entity, r.entityId] as EntityKey);
      const existing = await db.base.bulkGet(keys);
      // Latest state per key: the base as stored, then each newer record of the page.
      const latest = new Map<string, BaseRow | undefined>();
      records.forEach((r, i) => {
        const k = keyOf(r.entity, r.entityId);
        if (!latest.has(k)) latest.set(k, existing[i]);
      });
      const touched = new Map<string, BaseRow>();
      // PL4: entities this person may no longer see; the device forgets them (queued edits stay, to be refused).
      const revoked = new Map<string, EntityKey>();
      for (const record of records) {
        const k = keyOf(record.entity, record.entityId);
        const current = latest.get(k);
        if (record.revoked) {
          latest.set(k, undefined);
          touched.delete(k);
          revoked.set(k, [record.entity, record.entityId]);
          report.revoked++;
          continue;
        }
        if (current && current.version >= record.version) {
          report.stale++;
          continue;
        }
        const next = stateFromPulled(record);
        latest.set(k, next);
        touched.set(k, next);
        revoked.delete(k); // access came back later in the same page
        report.applied++;
      }
      if (touched.size) await db.base.bulkPut([...touched.values()]);
      if (revoked.size) {
        const gone = [...revoked.values()];
        await db.base.bulkDelete(gone.map((k) => [k[0], k[1]] as EntityKey));
        const settled = await db.outbox.where('[entity+entityId]').anyOf(gone.map((k) => [k[0], k[1]])).filter((r) => r.state === 'acked').primaryKeys();
        if (settled.length) await db.outbox.bulkDelete(settled);
        report.pruned += settled.length;
        report.rebased += await rebaseKeysInTx(db, gone); // RC2: nothing left to show but own unsent edits
      }

      const stored = await getMeta(db, 'cursor');
      if (fromCursor === undefined || (stored ?? '') === (fromCursor ?? '')) {
        await setMeta(db, 'cursor', cursor);
        report.cursorStored = true;
      }
      await mergeHlcInTx(db, serverHlc, deps.now());

      if (touched.size) {
        const touchedKeys = [...touched.values()].map((b) => [b.entity, b.entityId] as EntityKey);
        // OB7 / RC2: acked rows whose version the base has reached are done.
        const rows = await db.outbox.where('[entity+entityId]').anyOf(touchedKeys.map((k) => [k[0], k[1]])).toArray();
        const prune = rows.filter((row) => {
          if (row.state !== 'acked') return false;
          const baseVersion = touched.get(keyOf(row.entity, row.entityId))?.version ?? 0;
          return row.receipt?.status !== 'applied' || row.receipt.version <= baseVersion;
        });
        if (prune.length) await db.outbox.bulkDelete(prune.map((r) => r.seq));
        report.pruned += prune.length;
        // RC2 without re-reading what this transaction just wrote: an entity with no outbox row left
        // shows its new base as is (rebase(base, []) is the base); only the others are rebased from
        // base + own changes. (A first sync has no outbox rows: this halves its reads.)
        const pruned = new Set(prune.map((r) => r.seq));
        const withRows = new Set(rows.filter((r) => !pruned.has(r.seq)).map((r) => keyOf(r.entity, r.entityId)));
        const direct: Record<EntityName, AnyRecord[]> = { job: [], report: [], punch: [] };
        const rebaseKeys: EntityKey[] = [];
        for (const [k, state] of touched) {
          if (withRows.has(k)) rebaseKeys.push([state.entity, state.entityId]);
          else direct[state.entity].push(toRecord(state.entity, state.entityId, state.version, state.deleted, state.fields));
        }
        await Promise.all([
          direct.job.length ? db.jobs.bulkPut(direct.job as JobRecord[]) : null,
          direct.report.length ? db.reports.bulkPut(direct.report as ReportRecord[]) : null,
          direct.punch.length ? db.punches.bulkPut(direct.punch as PunchRecord[]) : null,
        ]);
        report.rebased += touched.size - rebaseKeys.length + (await rebaseKeysInTx(db, rebaseKeys));
      }
      return report;
    });
  }

  /** RC2: recompute the visible records of these entities from base + own changes. */
  async function rebaseEntities(keys: EntityKey[]): Promise<ReconcileReport> {
    return db.transaction('rw', rebaseTables(db), async () => ({
      applied: 0,
      stale: 0,
      revoked: 0,
      pruned: 0,
      cursorStored: false,
      rebased: await rebaseKeysInTx(db, keys),
    }));
  }

  /** RC2 for every entity the device knows (after a schema migration or a repair). */
  async function rebaseAll(): Promise<ReconcileReport> {
    return db.transaction('rw', rebaseTables(db), async () => {
      const [baseKeys, rows] = await Promise.all([db.base.toCollection().primaryKeys(), db.outbox.toArray()]);
      const keys: EntityKey[] = [...baseKeys, ...rows.map((r) => [r.entity, r.entityId] as EntityKey)];
      // Visible rows with neither base nor own change are leftovers: rebase removes them.
      const [jobs, reports, punches] = await Promise.all([
        db.jobs.toCollection().primaryKeys(),
        db.reports.toCollection().primaryKeys(),
        db.punches.toCollection().primaryKeys(),
      ]);
      keys.push(...jobs.map((id) => ['job', id] as const), ...reports.map((id) => ['report', id] as const), ...punches.map((id) => ['punch', id] as const));
      return { applied: 0, stale: 0, revoked: 0, pruned: 0, cursorStored: false, rebased: await rebaseKeysInTx(db, keys) };
    });
  }

  return { applyPulled, rebaseEntities, rebaseAll };
}
