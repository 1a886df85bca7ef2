import type { OutpostDb, SyncLogRow } from './db.ts';

/**
 * The sync log (DG3): one row per drain pass of any context — the page's engine and the service worker's —
 * so the diagnostics page shows recent attempts across reloads and with every tab closed. Only the last
 * SYNC_LOG_LIMIT rows are kept. Diagnostics only: nothing decides anything from it.
 */
export const SYNC_LOG_LIMIT = 100;

export type SyncLogEntry = Omit<SyncLogRow, 'id'>;

/** Add one entry and drop all but the last SYNC_LOG_LIMIT, in one transaction. Returns the new id. */
export async function appendSyncLog(db: OutpostDb, entry: SyncLogEntry, limit = SYNC_LOG_LIMIT): Promise<number> {
  return db.transaction('rw', db.syncLog, async () => {
    const id = await db.syncLog.add(entry as SyncLogRow);
    // Ids grow across every context (one auto-increment key), so the last `limit` ids are the last entries.
    await db.syncLog.where('id').belowOrEqual(id - limit).delete();
    return id;
  });
}

/** The most recent entries, newest first. */
export function recentSyncLog(db: OutpostDb, max = SYNC_LOG_LIMIT): Promise<SyncLogRow[]> {
  return db.syncLog.orderBy('id').reverse().limit(max).toArray();
}
