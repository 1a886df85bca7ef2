/**
 * Words for the diagnostics page (DG1–DG4): what each outbox row is, what each sync attempt did, and — for
 * any state the device can be in — what is waiting, why, and what the person can do. Pure, tested in Node.
 */
import type { OutboxRow, OutboxState, SyncLogRow } from '../data/index.ts';
import type { ProbeResult } from '../sync/probe.ts';
import type { SyncStatus } from '../sync/index.ts';
import { describeFields } from './attention.ts';
import { formatBytes } from './bytes.ts';
import { plural, relativeFuture } from './sync-summary.ts';

export const STATE_TEXT = {
  pending: 'Waiting to be sent',
  sending: 'Being sent',
  acked: 'Taken by the server',
  refused: 'Refused',
  conflict: 'Conflict',
} as const satisfies Record<OutboxState, string>;

export interface OutboxLine {
  readonly seq: number;
  readonly changeId: string;
  /** "Job “Boiler service”", "Report of job “Boiler service”", "Punch". */
  readonly subject: string;
  /** What changed, in words. */
  readonly what: readonly string[];
  readonly state: OutboxState;
  readonly stateText: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: number;
  /** Refused and conflicting rows are fixed on the "Needs attention" screen (OB7). */
  readonly needsAttention: boolean;
}

export function describeOutboxRow(row: OutboxRow, jobTitle: string | null, at: (ms: number) => string): OutboxLine {
  // A job that left this person's scope (reassigned) may be here without a title.
  const title = jobTitle ? ` “${jobTitle}”` : '';
  const subject = row.entity === 'job' ? `Job${title}` : row.entity === 'report' ? `Report of job${title}` : 'Punch';
  const what = describeFields(row, at);
  return {
    seq: row.seq,
    changeId: row.changeId,
    subject,
    what: what.length > 0 ? what : [row.op === 'create' ? 'Create it' : 'Change it'],
    state: row.state,
    stateText: STATE_TEXT[row.state],
    attempts: row.attempts,
    lastError: row.lastError,
    createdAt: row.createdAt,
    needsAttention: row.state === 'refused' || row.state === 'conflict',
  };
}

const REASON_TEXT: Record<string, string> = {
  start: 'App started',
  online: 'Back online',
  visible: 'App shown again',
  periodic: 'Regular check',
  poke: 'Server had news',
  write: 'A change was saved',
  'sw-sync': 'Background sync',
  manual: 'Sync now',
  retry: 'Retry after a failure',
  resume: 'Signed in again',
};

const OUTCOME_TEXT: Record<string, string> = {
  synced: 'Synced',
  offline: 'Server not reached',
  backoff: 'Failed — will retry',
  'signed-out': 'Paused — signed out',
  'update-required': 'Paused — update needed',
  rejected: 'Refused by the server',
  error: 'Failed',
  skipped: 'Skipped',
  retired: 'Stopped — newer version open',
};

export interface SyncLogLine {
  readonly id: number;
  readonly at: number;
  readonly who: string;
  readonly reason: string;
  readonly outcome: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly error: string | null;
}

export function describeSyncLog(row: SyncLogRow): SyncLogLine {
  const parts = [`${row.durationMs} ms`];
  if (row.pushed > 0) parts.push(`${plural(row.pushed, 'change')} sent`);
  if (row.pulled > 0) parts.push(`${plural(row.pulled, 'record')} received`);
  return {
    id: row.id,
    at: row.at,
    who: row.context === 'service-worker' ? 'Service worker' : 'This app',
    reason: REASON_TEXT[row.reason] ?? row.reason,
    outcome: OUTCOME_TEXT[row.outcome] ?? row.outcome,
    ok: row.outcome === 'synced',
    detail: parts.join(' · '),
    error: row.error,
  };
}

/** "Reached the server (200) in 12 ms", "Cannot reach the server: Failed to fetch". */
export function describeProbe(result: ProbeResult): { readonly ok: boolean; readonly text: string } {
  switch (result.kind) {
    case 'ok':
      return { ok: true, text: `Reaches the server (HTTP ${result.status}) in ${result.ms} ms` };
    case 'http':
      return { ok: false, text: `Something answered HTTP ${result.status} instead of the server (${result.ms} ms)` };
    case 'network':
      return { ok: false, text: `Cannot reach the server (${result.error || 'network error'}, after ${result.ms} ms)` };
    case 'timeout':
      return { ok: false, text: `No answer from the server within ${Math.round(result.ms / 1000)} s` };
  }
}

export interface StorageNumbers {
  readonly usage: number;
  readonly quota: number;
}

/** Outpost's own space is this full (or the last write failed for lack of space): storage is the problem. */
export const STORAGE_NEARLY_FULL = 0.9;

export interface ExplainInput {
  readonly status: SyncStatus;
  /** navigator.onLine */
  readonly online: boolean;
  /** The server said the session ended (PU7 signed-out) and the person has not signed in again. */
  readonly sessionExpired: boolean;
  /** The server (426) or the service worker said this version is too old. */
  readonly updateRequired: boolean;
  readonly pageProbe: ProbeResult | null;
  readonly workerProbe: ProbeResult | null;
  readonly storage: StorageNumbers | null;
  /** The last local write failed for lack of space (and none succeeded since). */
  readonly storageFull: boolean;
  readonly now: number;
}

export type FindingTone = 'ok' | 'info' | 'warn' | 'error';

/** One answer to "what is waiting, why, and what can I do". */
export interface Finding {
  readonly id: string;
  readonly tone: FindingTone;
  readonly title: string;
  readonly why: string;
  readonly todo: string;
  /** Where the fix is, when it is on another screen. */
  readonly link: 'attention' | null;
}

/** Every finding that applies, most urgent first; "all is well" when none does. */
export function explainSync(input: ExplainInput): Finding[] {
  const { status, now } = input;
  const { counts } = status;
  const waiting = counts.pending + counts.sending;
  const waitingText = waiting === 0 ? 'Nothing is waiting' : `${plural(waiting, 'change')} ${waiting === 1 ? 'waits' : 'wait'} on this device`;
  const out: Finding[] = [];

  if (input.storageFull || (input.storage !== null && input.storage.quota > 0 && input.storage.usage / input.storage.quota >= STORAGE_NEARLY_FULL)) {
    const numbers = input.storage === null ? '' : ` (${formatBytes(input.storage.usage)} of ${formatBytes(input.storage.quota)} used)`;
    out.push({
      id: 'storage-full',
      tone: 'error',
      title: input.storageFull ? 'This device is full: new changes are NOT being saved' : 'Storage on this device is nearly full',
      why: `The browser gives Outpost no more room${numbers}. A change that does not fit is refused and never reported as saved.`,
      todo: 'Free up space on this device (other apps, photos, downloads), then make the change again. Export unsent changes to keep a copy.',
      link: null,
    });
  }
  if (status.phase === 'signed-out' || input.sessionExpired) {
    out.push({
      id: 'signed-out',
      tone: 'warn',
      title: 'Sending is paused: your sign-in has ended',
      why: `The server no longer accepts this device’s sign-in. ${waitingText}; nothing is lost.`,
      todo: 'Sign in again with the button at the top of the screen. Sending starts again by itself.',
      link: null,
    });
  }
  if (status.phase === 'update-required' || input.updateRequired) {
    out.push({
      id: 'update-required',
      tone: 'warn',
      title: 'Sending is paused: this version of Outpost is too old',
      why: `The server needs a newer version to take changes. ${waitingText}; the new version sends them.`,
      todo: 'Choose “Update now” in the banner at the top when it appears, or reload the app.',
      link: null,
    });
  }
  const pageDown = input.pageProbe !== null && input.pageProbe.kind !== 'ok';
  if (!input.online || status.phase === 'offline') {
    out.push({
      id: 'offline',
      tone: 'info',
      title: input.online ? 'The server cannot be reached' : 'This device is offline',
      why: `${waitingText}. ${status.lastError ?? 'There is no connection to the server.'}`.replace(/\.\./g, '.'),
      todo: 'Keep working: everything is saved on this device and sent by itself when the connection returns. Sync now to try at once.',
      link: null,
    });
  } else if (pageDown) {
    out.push({
      id: 'unreachable',
      tone: 'warn',
      title: 'The server cannot be reached from this page',
      why: `${waitingText}. ${describeProbe(input.pageProbe!).text}.`,
      todo: 'Check the connection (a Wi-Fi login page can block it). Changes are kept and sent when the server answers.',
      link: null,
    });
  }
  if (status.phase === 'backoff') {
    const retry = status.nextRetryAt === null ? '' : ` Next try ${relativeFuture(status.nextRetryAt, now)}.`;
    out.push({
      id: 'backoff',
      tone: 'warn',
      title: 'The last sync failed',
      why: `${status.lastError ?? 'The server had a problem.'}${retry} ${waitingText}.`.replace(/\.\./g, '.'),
      todo: 'Nothing is lost. Wait for the next try, or Sync now to try at once.',
      link: null,
    });
  }
  if (counts.refused > 0) {
    out.push({
      id: 'refused',
      tone: 'error',
      title: `${plural(counts.refused, 'change')} refused by the server`,
      why: 'The server would not take them (the reason is on each row below). They stay on this device and are not sent again by themselves.',
      todo: 'Open “Needs attention” to try each one again or discard it.',
      link: 'attention',
    });
  }
  if (counts.conflict > 0) {
    out.push({
      id: 'conflict',
      tone: 'error',
      title: `${plural(counts.conflict, 'change')} in conflict`,
      why: 'Someone else changed the same thing first; the server kept their version for those fields.',
      todo: 'Open “Needs attention” to send yours again or keep theirs.',
      link: 'attention',
    });
  }
  const workerDown = input.workerProbe !== null && input.workerProbe.kind !== 'ok';
  if (workerDown && input.online && !pageDown && status.phase !== 'offline') {
    out.push({
      id: 'worker-unreachable',
      tone: 'info',
      title: 'The service worker cannot reach the server',
      why: `${describeProbe(input.workerProbe!).text}. The page can, so it sends while it is open.`,
      todo: 'Keep the app open until everything is synced.',
      link: null,
    });
  }
  if (out.length === 0) {
    out.push(
      waiting > 0
        ? {
            id: 'sending',
            tone: 'info',
            title: `${plural(waiting, 'change')} on ${waiting === 1 ? 'its' : 'their'} way to the server`,
            why: 'They are saved on this device and being sent.',
            todo: 'Nothing to do. Sync now to send at once.',
            link: null,
          }
        : {
            id: 'ok',
            tone: 'ok',
            title: status.lastSyncAt === null ? 'Nothing is waiting' : 'Everything is synced',
            why: 'Every change made on this device has been taken by the server.',
            todo: 'Nothing to do.',
            link: null,
          },
    );
  }
  return out;
}

/** "outpost-unsent-changes-2025-06-01.json" (local date). */
export function exportFileName(atMs: number): string {
  const day = new Date(atMs);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `outpost-unsent-changes-${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}.json`;
}

/** "3 added, 0 already here". */
export function importSummaryText(summary: { readonly added: number; readonly skipped: number }): string {
  return `${summary.added} added, ${summary.skipped} already here`;
}
