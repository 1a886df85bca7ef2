import { ENTITY_NAMES, stateFromPulled, toRecord } from '../../protocol/index.ts';
import type { EntityName, JobRecord, PulledRecord, PunchRecord, ReportRecord } from '../../protocol/index.ts';
import { rebaseTables, visibleTable } from '../data/db.ts';
import type { BaseRow, EntityKey, OutboxRow, OutpostDb } from '../data/db.ts';
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
    /** The cursor after this page; null for records that come without one (PL5) — none is stored. */
    cursor: string | null,
    serverHlc: string,
    fromCursor?: string | null,
  ): Promise<ReconcileReport> {
    return db.transaction('rw', [...rebaseTables(db), db.meta], async () => {
      const report: ReconcileReport = { applied: 0, stale: 0, revoked: 0, rebased: 0, pruned: 0, cursorStored: false };
      const unique = new Map<string, EntityKey>();
      for (const r of records) unique.set(keyOf(r.entity, r.entityId), [r.entity, r.entityId]);
      const keys = [...unique.values()];
      // Reads that cost what exists rather than what was pulled: base rows are few (RC4), and an
      // index range read over absent keys is one request where a bulkGet is one per key.
      const [stored, bases, rows] = await Promise.all([
        getMeta(db, 'cursor'),
        db.base.where('[entity+entityId]').anyOf(keys.map((k) => [k[0], k[1]])).toArray(),
        db.outbox.where('[entity+entityId]').anyOf(keys.map((k) => [k[0], k[1]])).toArray(),
      ]);
      // PL3: a page that continues the stored cursor holds each entity's state after everything this
      // device pulled before (the server's sequence only grows), so synced entities need no version read;
      // any other page (replayed, reordered, or a priority pull, PL5) is checked record by record.
      const continues = fromCursor !== undefined && (stored ?? '') === (fromCursor ?? '');
      const baseRows = new Map<string, BaseRow>(bases.map((b) => [keyOf(b.entity, b.entityId), b]));
      const rowsByKey = new Map<string, OutboxRow[]>();
      for (const row of rows) {
        const k = keyOf(row.entity, row.entityId);
        const group = rowsByKey.get(k);
        if (group) group.push(row);
        else rowsByKey.set(k, [row]);
      }
      // The version the device holds per key: its base row's or, for a synced entity without own
      // changes, its visible record's (RC4).
      const held = new Map<string, number>();
      for (const [k, base] of baseRows) held.set(k, base.version);
      const lazy: Record<EntityName, string[]> = { job: [], report: [], punch: [] };
      if (!continues) for (const [k, [entity, entityId]] of unique) if (!baseRows.has(k) && !rowsByKey.has(k)) lazy[entity].push(entityId);
      for (const entity of ENTITY_NAMES) {
        if (!lazy[entity].length) continue;
        const found = await visibleTable(db, entity).bulkGet(lazy[entity]);
        for (const record of found) if (record) held.set(keyOf(entity, record.id), record.version);
      }

      const touched = new Map<string, BaseRow>();
      // PL4: entities this person may no longer see; the device forgets them (queued edits stay, to be refused).
      const revoked = new Map<string, EntityKey>();
      for (const record of records) {
        const k = keyOf(record.entity, record.entityId);
        if (record.revoked) {
          held.delete(k);
          touched.delete(k);
          revoked.set(k, [record.entity, record.entityId]);
          report.revoked++;
          continue;
        }
        const current = held.get(k);
        if (current !== undefined && current >= record.version) {
          report.stale++;
          continue;
        }
        const next = stateFromPulled(record);
        held.set(k, next.version);
        touched.set(k, next);
        revoked.delete(k); // access came back later in the same page
        report.applied++;
      }

      if (revoked.size) {
        const gone = [...revoked.values()];
        await db.base.bulkDelete(gone.map((k) => [k[0], k[1]] as EntityKey));
        const goneRows = gone.flatMap((k) => rowsByKey.get(keyOf(k[0], k[1])) ?? []);
        const settled = goneRows.filter((r) => r.state === 'acked');
        if (settled.length) await db.outbox.bulkDelete(settled.map((r) => r.seq));
        report.pruned += settled.length;
        // RC2: nothing left to show but own unsent edits; without those the record goes.
        const left = new Set(goneRows.filter((r) => r.state !== 'acked').map((r) => keyOf(r.entity, r.entityId)));
        const forget: Record<EntityName, string[]> = { job: [], report: [], punch: [] };
        for (const [entity, entityId] of gone) if (!left.has(keyOf(entity, entityId))) forget[entity].push(entityId);
        await Promise.all(ENTITY_NAMES.map((entity) => (forget[entity].length ? visibleTable(db, entity).bulkDelete(forget[entity]) : null)));
        report.rebased += gone.length - left.size;
        report.rebased += await rebaseKeysInTx(db, gone.filter(([entity, entityId]) => left.has(keyOf(entity, entityId))));
      }

      if (cursor !== null && (fromCursor === undefined || continues)) {
        await setMeta(db, 'cursor', cursor);
        report.cursorStored = true;
      }
      await mergeHlcInTx(db, serverHlc, deps.now());

      if (touched.size) {
        // OB7 / RC2: acked rows whose version the base has reached are done.
        const touchedRows = [...touched.keys()].flatMap((k) => rowsByKey.get(k) ?? []);
        const prune = touchedRows.filter((row) => {
          if (row.state !== 'acked') return false;
          const baseVersion = touched.get(keyOf(row.entity, row.entityId))?.version ?? 0;
          return row.receipt?.status !== 'applied' || row.receipt.version <= baseVersion;
        });
        if (prune.length) await db.outbox.bulkDelete(prune.map((r) => r.seq));
        report.pruned += prune.length;
        // RC4: an entity with own changes left keeps a base row and is rebased (RC2); any other shows the
        // new server state as is and keeps it only there (rebase(base, []) is the base): one write.
        const pruned = new Set(prune.map((r) => r.seq));
        const withRows = new Set(touchedRows.filter((r) => !pruned.has(r.seq)).map((r) => keyOf(r.entity, r.entityId)));
        const direct: Record<EntityName, AnyRecord[]> = { job: [], report: [], punch: [] };
        const kept: BaseRow[] = [];
        const dropped: EntityKey[] = [];
        for (const [k, state] of touched) {
          if (withRows.has(k)) {
            kept.push(state);
            continue;
          }
          direct[state.entity].push(toRecord(state.entity, state.entityId, state.version, state.deleted, state.fields));
          if (baseRows.has(k)) dropped.push([state.entity, state.entityId]);
        }
        await Promise.all([
          kept.length ? db.base.bulkPut(kept) : null,
          dropped.length ? db.base.bulkDelete(dropped) : null,
          ...ENTITY_NAMES.map((entity) => (direct[entity].length ? visibleTable(db, entity).bulkPut(direct[entity]) : null)),
        ]);
        report.rebased += touched.size - kept.length;
        report.rebased += await rebaseKeysInTx(
          db,
          kept.map((b) => [b.entity, b.entityId] as EntityKey),
        );
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

  /**
   * RC2 for every entity with a base row or own changes (after a schema migration or a repair). A synced
   * entity without either shows its base as is (RC4) and has nothing to recompute.
   */
  async function rebaseAll(): Promise<ReconcileReport> {
    return db.transaction('rw', rebaseTables(db), async () => {
      const [baseKeys, rows] = await Promise.all([db.base.toCollection().primaryKeys(), db.outbox.toArray()]);
      const keys: EntityKey[] = [...baseKeys, ...rows.map((r) => [r.entity, r.entityId] as EntityKey)];
      return { applied: 0, stale: 0, revoked: 0, pruned: 0, cursorStored: false, rebased: await rebaseKeysInTx(db, keys) };
    });
  }

  return { applyPulled, rebaseEntities, rebaseAll };
}
