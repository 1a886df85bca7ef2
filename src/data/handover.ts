import { getMeta } from './meta.ts';
import type { OutpostDb } from './db.ts';
import { toWriteError } from './errors.ts';

export type HandOverResult =
  | { readonly kind: 'ok'; readonly switched: boolean }
  /** The previous person still has changes the server has not taken: nothing was touched. */
  | { readonly kind: 'held'; readonly unsent: number };

/**
 * Another person signs in on this device (OB9). In one transaction: if the
 * previous person has anything unsettled (pending, sending, refused, conflict)
 * the device is held and nothing changes; otherwise everything of theirs is
 * cleared — records, base, acknowledged outbox rows, cursor — so the new person
 * sees nothing that is not theirs and their first pull starts from the
 * beginning. The device id and its clock stay.
 */
export async function handOver(db: OutpostDb, userId: string): Promise<HandOverResult> {
  try {
    // The usual case — the same person opens the app again — needs no durable readwrite transaction
    // (cold start, bench/: a strict commit here delays the first screen).
    if ((await getMeta(db, 'userId')) === userId) return { kind: 'ok', switched: false };
    return await db.transaction('rw', [db.jobs, db.reports, db.punches, db.base, db.outbox, db.meta], async () => {
      const previous = await getMeta(db, 'userId');
      if (previous === userId) return { kind: 'ok', switched: false } as const;
      if (previous !== undefined) {
        const unsent = await db.outbox.where('state').anyOf(['pending', 'sending', 'refused', 'conflict']).count();
        if (unsent > 0) return { kind: 'held', unsent } as const;
        await Promise.all([db.jobs.clear(), db.reports.clear(), db.punches.clear(), db.base.clear(), db.outbox.clear()]);
        await db.meta.bulkDelete(['cursor', 'lastSyncAt']);
      }
      await db.meta.put({ key: 'userId', value: userId });
      return { kind: 'ok', switched: previous !== undefined } as const;
    });
  } catch (err) {
    throw toWriteError(err, db.closedForUpgrade);
  }
}
