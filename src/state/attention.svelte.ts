/** The "Needs attention" list (refused and conflicting changes, OB7) and its two repairs. */
import { discard, retryRefused } from '../data/index.ts';
import { device } from './device.svelte.ts';
import { live, type Live } from './live.svelte.ts';
import { describeRow, type AttentionItem } from './attention.ts';

export type { AttentionItem };

const time = (ms: number): string => new Date(ms).toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });

export function attentionItems(): Live<readonly AttentionItem[]> {
  return live(
    () => device.scope,
    async ({ db }) => {
      const rows = (await db.outbox.where('state').anyOf(['refused', 'conflict']).toArray()).sort((a, b) => a.seq - b.seq);
      const jobs = await db.jobs.bulkGet(rows.map((r) => r.entityId));
      return rows.map((row, i) => describeRow(row, row.entity === 'punch' ? null : (jobs[i]?.title ?? null), time));
    },
    [],
  );
}

export const attentionActions = {
  /** A new change with a new id and the same intent (OB7). */
  retry: (changeId: string) => device.write((ctx) => retryRefused(ctx, changeId)),
  /** Drop it; the record shows the server's version again (OB7). */
  discard: (changeId: string) => device.write((ctx) => discard(ctx.db, changeId)),
};
