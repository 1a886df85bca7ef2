import { ChangeSchema, PAYLOAD_VERSION, finalReceipt } from '../../protocol/index.ts';
import type { ChangeId, Receipt } from '../../protocol/index.ts';
import { OUTBOX_STATES, rebaseTables } from './db.ts';
import type { EntityKey, OutboxRow, OutboxState, OutpostDb } from './db.ts';
import { InvalidChangeError, OutboxRowError, toWriteError } from './errors.ts';
import { getMeta, mergeHlcInTx, tickDeviceHlc } from './meta.ts';
import { pendingRow, rebaseKeysInTx, rowToChange } from './visible.ts';
import type { DataContext } from './write.ts';

/**
 * Outbox queries and state transitions (OB3): pending → sending →
 * acked | refused | conflict, and sending → pending when a send fails.
 * Every function here is one transaction.
 */

export type OutboxCounts = Record<OutboxState, number>;

/** Number of rows in each state (SY5). */
export async function countByState(db: OutpostDb): Promise<OutboxCounts> {
  return db.transaction('r', db.outbox, async () => {
    const counts = await Promise.all(OUTBOX_STATES.map((s) => db.outbox.where('state').equals(s).count()));
    return Object.fromEntries(OUTBOX_STATES.map((s, i) => [s, counts[i] ?? 0])) as OutboxCounts;
  });
}

/** What a drain needs to know before its first request (see `peekDrain`). */
export interface DrainStart {
  /** A row is `sending`: left by a killed context (OB4). */
  readonly sending: boolean;
  readonly pending: boolean;
  readonly deviceId: string | null;
  readonly cursor: string | null;
  readonly lastSyncAt: number | null;
}

/**
 * One read-only transaction at the start of a drain: is anything `sending` or `pending` (two index
 * probes, not counts over the whole outbox), the device id, the pull cursor and the last sync time.
 */
export async function peekDrain(db: OutpostDb): Promise<DrainStart> {
  return db.transaction('r', [db.outbox, db.meta], async () => {
    const [sending, pending, deviceId, cursor, lastSyncAt] = await Promise.all([
      db.outbox.where('state').equals('sending').first(),
      db.outbox.where('state').equals('pending').first(),
      getMeta(db, 'deviceId'),
      getMeta(db, 'cursor'),
      getMeta(db, 'lastSyncAt'),
    ]);
    return { sending: sending !== undefined, pending: pending !== undefined, deviceId: deviceId ?? null, cursor: cursor ?? null, lastSyncAt: lastSyncAt ?? null };
  });
}

/** Pending rows in outbox order. */
export function listPending(db: OutpostDb): Promise<OutboxRow[]> {
  return db.outbox.where('state').equals('pending').sortBy('seq');
}

/** Every row in outbox order, for diagnostics. */
export function listRows(db: OutpostDb): Promise<OutboxRow[]> {
  return db.outbox.orderBy('seq').toArray();
}

/** Rows the server has not taken (pending, sending, refused, conflict), for "export unsent changes". */
export function listUnsent(db: OutpostDb): Promise<OutboxRow[]> {
  return db.outbox.orderBy('seq').filter((r) => r.state !== 'acked').toArray();
}

/**
 * Take up to `max` pending rows in outbox order (PU1), mark them `sending` and
 * count the attempt, in one transaction. Only call under the sync lock (OB4).
 * `probe: false` skips the read-only check for a pending row (the caller has just seen one).
 */
export async function takeBatch(db: OutpostDb, max: number, now: number, options: { probe?: boolean } = {}): Promise<OutboxRow[]> {
  // Nothing pending (every pull-only drain, e.g. after a live poke): skip the durable rw transaction.
  // A row written right after this check is taken by the next pass (a write triggers one, SY1).
  if (options.probe !== false && (await db.outbox.where('state').equals('pending').first()) === undefined) return [];
  return db.transaction('rw', db.outbox, () => takeInTx(db, max, now));
}

async function takeInTx(db: OutpostDb, max: number, now: number): Promise<OutboxRow[]> {
  // The `state` index orders equal keys by primary key, i.e. by seq.
  const rows = await db.outbox.where('state').equals('pending').limit(Math.max(0, max)).toArray();
  const taken = rows.map((r) => ({ ...r, state: 'sending' as const, attempts: r.attempts + 1, updatedAt: now }));
  await putInSlices(db, taken);
  return taken;
}

/** Most outbox puts issued in one go (bench/: catch-up — 500 at once held the page's thread for 70 ms). */
const PUT_SLICE = 100;

/**
 * Put outbox rows inside the caller's transaction, a slice at a time: the next slice is issued when the
 * previous one has been written (a request's success keeps the transaction open), so no single task of
 * the page issues more than PUT_SLICE puts.
 */
async function putInSlices(db: OutpostDb, rows: readonly OutboxRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += PUT_SLICE) await db.outbox.bulkPut(rows.slice(i, i + PUT_SLICE));
}

export interface SettleSummary {
  acked: number;
  refused: number;
  conflict: number;
  /** Receipts for rows that were not `sending` here (already settled or unknown). */
  ignored: number;
  /** Visible records recomputed because their change is no longer replayed (RC2). */
  rebased: number;
}

export interface SettleOptions {
  /**
   * The rows the receipts answer (as `takeBatch` returned them): they are read back by primary key
   * (seq), which is much cheaper than looking 500 change ids up in the `changeId` index. A receipt
   * for a change not among them is still looked up by id.
   */
  readonly sent?: readonly Pick<OutboxRow, 'seq' | 'changeId'>[];
  /** SY6: the push answer's server clock, merged into the device HLC in the same transaction. */
  readonly serverHlc?: string;
}

/** Current rows for `changeIds`, by the seqs of `sent` where known, else by the `changeId` index. */
async function rowsFor(db: OutpostDb, changeIds: readonly string[], sent: SettleOptions['sent']): Promise<Map<string, OutboxRow>> {
  const byId = new Map<string, OutboxRow>();
  if (sent?.length) {
    const want = new Map(sent.map((r) => [r.seq, r.changeId as string]));
    const seqs = sent.map((r) => r.seq);
    const low = Math.min(...seqs);
    const high = Math.max(...seqs);
    // A batch is usually a run of consecutive seqs: one range read (a single request) is much cheaper
    // than a get per row. Scattered seqs are read one by one.
    const found =
      high - low < 2 * sent.length ? await db.outbox.where(':id').between(low, high, true, true).toArray() : await db.outbox.bulkGet(seqs);
    for (const row of found) {
      // A row replaced under another id meanwhile is not the one sent.
      if (row && want.get(row.seq) === row.changeId) byId.set(row.changeId, row);
    }
  }
  const missing = changeIds.filter((id) => !byId.has(id));
  if (missing.length) {
    for (const row of await db.outbox.where('changeId').anyOf(missing).toArray()) byId.set(row.changeId, row);
  }
  return byId;
}

/**
 * PU7, per receipt: applied → acked; refused → refused with code and reason;
 * conflict → conflict with the fields; duplicate → the state of its original.
 * Entities whose change stopped being replayed (refused, conflict) are rebased
 * in the same transaction (RC2). With `serverHlc`, the device clock merges it
 * in that transaction too (SY6).
 */
export async function settle(db: OutpostDb, receipts: readonly Receipt[], now: number, options: SettleOptions = {}): Promise<SettleSummary> {
  const { serverHlc } = options;
  const tables = serverHlc === undefined ? rebaseTables(db) : [...rebaseTables(db), db.meta];
  return db.transaction('rw', tables, async () => {
    const summary: SettleSummary = { acked: 0, refused: 0, conflict: 0, ignored: 0, rebased: 0 };
    const byId = await rowsFor(
      db,
      receipts.map((r) => r.changeId),
      options.sent,
    );
    const updated: OutboxRow[] = [];
    const rebase: EntityKey[] = [];
    for (const receipt of receipts) {
      const row = byId.get(receipt.changeId);
      if (!row || (row.state !== 'sending' && row.state !== 'pending')) {
        summary.ignored++;
        continue;
      }
      const final = finalReceipt(receipt);
      switch (final.status) {
        case 'applied':
          updated.push({ ...row, state: 'acked', receipt: final, lastError: null, updatedAt: now });
          summary.acked++;
          break;
        case 'refused':
          updated.push({ ...row, state: 'refused', receipt: final, lastError: `${final.reason} (${final.code})`, updatedAt: now });
          rebase.push([row.entity, row.entityId]);
          summary.refused++;
          break;
        case 'conflict':
          updated.push({ ...row, state: 'conflict', receipt: final, lastError: final.reason, updatedAt: now });
          rebase.push([row.entity, row.entityId]);
          summary.conflict++;
          break;
      }
    }
    await putInSlices(db, updated);
    summary.rebased = await rebaseKeysInTx(db, rebase);
    if (serverHlc !== undefined) await mergeHlcInTx(db, serverHlc, now);
    return summary;
  });
}

/** OB3: a send failed; the rows go back to `pending` with the reason. Rows not `sending` are left alone. */
export async function release(db: OutpostDb, rows: readonly Pick<OutboxRow, 'seq'>[], error: string, now: number): Promise<number> {
  return db.transaction('rw', db.outbox, async () => {
    const current = await db.outbox.bulkGet(rows.map((r) => r.seq));
    const back = current
      .filter((r): r is OutboxRow => r?.state === 'sending')
      .map((r) => ({ ...r, state: 'pending' as const, lastError: error, updatedAt: now }));
    if (back.length) await db.outbox.bulkPut(back);
    return back.length;
  });
}

/**
 * OB3 / OB5: rows marked `sending` ahead of their push (the drain takes the next batch while the
 * previous one is on the network) go back to `pending` when that push never leaves, with the attempt
 * uncounted: they never reached the server, so they stay foldable. Rows not `sending` are left alone.
 */
export async function unsend(db: OutpostDb, rows: readonly Pick<OutboxRow, 'seq'>[], now: number): Promise<number> {
  if (!rows.length) return 0;
  return db.transaction('rw', db.outbox, async () => {
    const current = await db.outbox.bulkGet(rows.map((r) => r.seq));
    const back = current
      .filter((r): r is OutboxRow => r?.state === 'sending')
      .map((r) => ({ ...r, state: 'pending' as const, attempts: Math.max(0, r.attempts - 1), updatedAt: now }));
    if (back.length) await db.outbox.bulkPut(back);
    return back.length;
  });
}

/** OB4: at the start of a drain, under the lock, `sending` rows were left by a killed context. */
export async function resetSending(db: OutpostDb, now: number): Promise<number> {
  // Usually there is none: only a drain holding the lock marks rows `sending`, so a read-only check
  // under the lock is enough to skip the durable rw transaction (bench/: write → visible elsewhere).
  if ((await db.outbox.where('state').equals('sending').first()) === undefined) return 0;
  return db.transaction('rw', db.outbox, async () => {
    const stuck = await db.outbox.where('state').equals('sending').toArray();
    if (stuck.length) await db.outbox.bulkPut(stuck.map((r) => ({ ...r, state: 'pending' as const, updatedAt: now })));
    return stuck.length;
  });
}

async function settledRow(db: OutpostDb, changeId: string): Promise<OutboxRow> {
  const row = await db.outbox.where('changeId').equals(changeId).first();
  if (!row) throw new OutboxRowError(`There is no queued change ${changeId}.`);
  if (row.state !== 'refused' && row.state !== 'conflict') {
    throw new OutboxRowError(`Change ${changeId} is ${row.state}; only refused or conflicting changes can be retried or discarded.`);
  }
  return row;
}

/**
 * OB7 "retry": re-queue a refused (or conflicting) row as a NEW change — new id
 * (an id is bound to its content, PU3), new HLC, the current base version —
 * with the same intent. For a conflict only the conflicting fields are resent
 * (the others were applied). The old row is replaced. Returns the new id.
 */
export async function retryRefused(ctx: DataContext, changeId: string): Promise<ChangeId> {
  const { db } = ctx;
  try {
    return await db.transaction('rw', [...rebaseTables(db), db.meta], async () => {
      const row = await settledRow(db, changeId);
      const now = ctx.now();
      const base = await db.base.get([row.entity, row.entityId]);
      const fields =
        row.receipt?.status === 'conflict'
          ? Object.fromEntries(row.receipt.fields.map((f) => [f.field, row.fields[f.field]]))
          : row.fields;
      const next = pendingRow(
        {
          id: ctx.uuid() as ChangeId,
          deviceId: ctx.deviceId,
          entity: row.entity,
          entityId: row.entityId,
          op: row.op,
          fields,
          hlc: await tickDeviceHlc(db, ctx.deviceId, now),
          baseVersion: base?.version ?? 0,
          payloadVersion: PAYLOAD_VERSION,
        },
        now,
      );
      const parsed = ChangeSchema.safeParse(rowToChange({ ...next, seq: 0 }));
      if (!parsed.success) throw new InvalidChangeError(parsed.error.issues.map((i) => i.message));
      await db.outbox.delete(row.seq);
      await db.outbox.add(next as OutboxRow);
      await rebaseKeysInTx(db, [[row.entity, row.entityId]]);
      return next.changeId;
    });
  } catch (err) {
    throw toWriteError(err, db.closedForUpgrade);
  }
}

/** OB7 "discard": drop a refused or conflicting row; the visible record is rebased without it (RC2). */
export async function discard(db: OutpostDb, changeId: string): Promise<void> {
  try {
    await db.transaction('rw', rebaseTables(db), async () => {
      const row = await settledRow(db, changeId);
      await db.outbox.delete(row.seq);
      await rebaseKeysInTx(db, [[row.entity, row.entityId]]);
    });
  } catch (err) {
    throw toWriteError(err, db.closedForUpgrade);
  }
}

/** OB7: remove acked rows whose receipt version the pulled base has reached. Returns how many. */
export async function pruneAcked(db: OutpostDb): Promise<number> {
  // Usually none is left: the reconciler prunes the acked rows of every entity a pull brings back. A
  // read-only check skips the durable rw transaction then (every pull-only drain, e.g. after a poke).
  if ((await db.outbox.where('state').equals('acked').first()) === undefined) return 0;
  return db.transaction('rw', [db.outbox, db.base], async () => {
    const acked = await db.outbox.where('state').equals('acked').toArray();
    if (!acked.length) return 0;
    const bases = await db.base.bulkGet(acked.map((r) => [r.entity, r.entityId] as EntityKey));
    const done = acked.filter((r, i) => {
      const version = r.receipt?.status === 'applied' ? r.receipt.version : 0;
      return (bases[i]?.version ?? 0) >= version;
    });
    if (done.length) await db.outbox.bulkDelete(done.map((r) => r.seq));
    return done.length;
  });
}
