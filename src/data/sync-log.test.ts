import { describe, expect, it } from 'vitest';
import { SYNC_LOG_LIMIT, appendSyncLog, recentSyncLog } from './sync-log.ts';
import { freshDb } from './testing.ts';

const entry = (n: number) => ({
  at: 1_700_000_000_000 + n,
  context: n % 2 === 0 ? ('page' as const) : ('service-worker' as const),
  reason: 'manual',
  outcome: 'synced',
  durationMs: n,
  pushed: 0,
  pulled: 0,
  error: null,
});

describe('sync log (DG3)', () => {
  it('DG3: keeps only the last 100 entries, newest first, from every context', async () => {
    const { db } = freshDb();
    for (let n = 1; n <= SYNC_LOG_LIMIT + 20; n++) await appendSyncLog(db, entry(n));
    expect(await db.syncLog.count()).toBe(SYNC_LOG_LIMIT);
    const recent = await recentSyncLog(db);
    expect(recent).toHaveLength(SYNC_LOG_LIMIT);
    expect(recent[0]).toMatchObject({ durationMs: SYNC_LOG_LIMIT + 20, context: 'page' });
    expect(recent.at(-1)).toMatchObject({ durationMs: 21 });
    expect((await recentSyncLog(db, 3)).map((r) => r.durationMs)).toEqual([120, 119, 118]);
    db.close();
  });
});
