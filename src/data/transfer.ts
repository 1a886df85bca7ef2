import { z } from 'zod';
import { ChangeSchema } from '../../protocol/index.ts';
import type { Change } from '../../protocol/index.ts';
import { rebaseTables } from './db.ts';
import type { EntityKey, OutboxRow, OutpostDb } from './db.ts';
import { toWriteError } from './errors.ts';
import { getMeta } from './meta.ts';
import { keyOf, materializeBaseInTx, pendingRow, rebaseKeysInTx, rowToChange } from './visible.ts';

/**
 * "Export unsent changes" and "import" (contract 4; issue: diagnostics and repair).
 * A person can carry changes that never reached the server to another device,
 * or keep them across a reinstall. Changes keep their ids, so the server applies
 * each at most once however often the file is imported (PU3), and a device skips
 * changes it already holds (OB8).
 */
export const EXPORT_FORMAT = 'outpost-unsent-changes';
export const EXPORT_VERSION = 1;

const ExportedChangeSchema = z.strictObject({
  change: ChangeSchema,
  state: z.enum(['pending', 'sending', 'refused', 'conflict']),
  lastError: z.string().nullable(),
  createdAt: z.number(),
});

export const ExportFileSchema = z.strictObject({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  exportedAt: z.number(),
  deviceId: z.string().nullable(),
  userId: z.string().nullable(),
  changes: z.array(ExportedChangeSchema).max(100_000),
});
export type ExportFile = z.infer<typeof ExportFileSchema>;

export interface ImportSummary {
  /** Changes added to this device's outbox, to be sent. */
  readonly added: number;
  /** Changes this device already held (an earlier import, or its own). */
  readonly skipped: number;
}

/** The file is not an export of unsent changes, or it is damaged. Nothing was imported. */
export class ImportFileError extends Error {
  constructor(readonly reasons: readonly string[]) {
    super(`This file is not an Outpost export of unsent changes, or it is damaged; nothing was imported. ${reasons.slice(0, 3).join('; ')}`);
    this.name = 'ImportFileError';
  }
}

/** Every change this device has not had acknowledged, in outbox order. */
export async function exportUnsent(db: OutpostDb, now: number): Promise<ExportFile> {
  const [rows, deviceId, userId] = await Promise.all([db.outbox.orderBy('seq').toArray(), getMeta(db, 'deviceId'), getMeta(db, 'userId')]);
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: now,
    deviceId: deviceId ?? null,
    userId: userId ?? null,
    changes: rows
      .filter((r) => r.state !== 'acked')
      .map((r) => ({ change: rowToChange(r), state: r.state as Exclude<typeof r.state, 'acked'>, lastError: r.lastError, createdAt: r.createdAt })),
  };
}

/** Parse an export file's text (or parsed JSON); throws ImportFileError with reasons. */
export function parseExportFile(input: unknown): ExportFile {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      throw new ImportFileError(['it is not JSON']);
    }
  }
  const parsed = ExportFileSchema.safeParse(value);
  if (!parsed.success) {
    throw new ImportFileError(parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)));
  }
  return parsed.data;
}

/**
 * Queue an export's changes on this device, unchanged (same ids and content,
 * so the server's idempotency holds), in one transaction, after what is
 * already queued. Changes already in this outbox are skipped.
 */
export async function importUnsent(db: OutpostDb, input: unknown, now: number): Promise<ImportSummary> {
  const file = parseExportFile(input);
  try {
    return await db.transaction('rw', rebaseTables(db), async () => {
      const ids = file.changes.map((c) => c.change.id as string);
      const existing = new Set((await db.outbox.where('changeId').anyOf(ids).toArray()).map((r) => r.changeId as string));
      const fresh: Change[] = [];
      for (const { change } of file.changes) {
        if (existing.has(change.id)) continue;
        existing.add(change.id); // a file listing one change twice adds it once
        fresh.push(change);
      }
      const keys: EntityKey[] = fresh.map((c) => [c.entity, c.entityId]);
      // RC4: entities without own changes keep their base in the visible record; keep it as a base row
      // before the imported changes are replayed on it.
      const unique = [...new Map(keys.map((k) => [keyOf(k[0], k[1]), k])).values()];
      const [bases, queued] = await Promise.all([
        db.base.bulkGet(unique),
        db.outbox.where('[entity+entityId]').anyOf(unique.map((k) => [k[0], k[1]])).toArray(),
      ]);
      const withRows = new Set(queued.map((r) => keyOf(r.entity, r.entityId)));
      for (const [i, k] of unique.entries()) {
        if (!withRows.has(keyOf(k[0], k[1]))) await materializeBaseInTx(db, k, bases[i]);
      }
      if (fresh.length) await db.outbox.bulkAdd(fresh.map((c) => pendingRow(c, now) as OutboxRow));
      await rebaseKeysInTx(db, keys);
      return { added: fresh.length, skipped: file.changes.length - fresh.length };
    });
  } catch (err) {
    throw toWriteError(err, db.closedForUpgrade);
  }
}
