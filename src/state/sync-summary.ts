/**
 * What the always-visible sync status says, derived ONLY from the engine's status events (SY5) and the
 * outbox counts in them — never from a live query. Pure, tested in Node.
 */
import type { SyncStatus } from '../sync/index.ts';

export type SyncTone = 'ok' | 'saved' | 'busy' | 'offline' | 'attention';

export interface SyncSummary {
  /** Short headline: "Synced", "Saved on this device", "Sending…", ... */
  readonly headline: string;
  /** Changes not yet acknowledged by the server (pending + sending). */
  readonly waiting: number;
  /** Refused and conflicting changes a person must look at. */
  readonly attention: number;
  readonly tone: SyncTone;
  /** A sentence for the problem, when there is one (signed out, update needed, backoff). */
  readonly problem: string | null;
}

export function summarizeSync(status: SyncStatus, online: boolean, now: number): SyncSummary {
  const { counts, phase } = status;
  const waiting = counts.pending + counts.sending;
  const attention = counts.refused + counts.conflict;
  const busy = phase === 'pushing' || phase === 'pulling';

  let problem: string | null = null;
  if (phase === 'signed-out') problem = 'Sign in again to send your changes.';
  else if (phase === 'update-required') problem = 'Update Outpost to keep syncing.';
  else if (phase === 'backoff') {
    const retry = status.nextRetryAt === null ? '' : ` Retrying ${relativeFuture(status.nextRetryAt, now)}.`;
    problem = `Sync failed: ${status.lastError ?? 'the server had a problem'}.${retry}`.replace(/\.\./g, '.');
  }

  let headline: string;
  let tone: SyncTone;
  if (waiting > 0) {
    headline = 'Saved on this device';
    tone = busy ? 'busy' : 'saved';
  } else if (status.lastSyncAt === null && busy) {
    headline = 'Syncing…';
    tone = 'busy';
  } else if (status.lastSyncAt === null) {
    headline = 'Not synced yet';
    tone = 'saved';
  } else {
    headline = 'Synced';
    tone = 'ok';
  }
  if (!online || phase === 'offline') tone = 'offline';
  if (attention > 0 || phase === 'signed-out' || phase === 'update-required' || phase === 'backoff') tone = 'attention';
  return { headline, waiting, attention, tone, problem };
}

/** "just now", "2 min ago", "3 h ago", or a date, for the last successful sync. */
export function relativePast(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 45) return 'just now';
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 24) return `${h} h ago`;
  return new Date(at).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
}

/** "in 30 s", "in 4 min". */
export function relativeFuture(at: number, now: number): string {
  const s = Math.max(0, Math.round((at - now) / 1000));
  if (s < 60) return `in ${s} s`;
  return `in ${Math.round(s / 60)} min`;
}

export function plural(n: number, one: string, many: string = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
