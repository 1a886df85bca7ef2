/**
 * The diagnostics page's data and actions (DG1–DG4). Components read these; only this module touches the
 * database (through src/data), the service worker (a PROBE message) and the network (the page's own probe).
 */
import { exportUnsent, importUnsent, ImportFileError, listRows, recentSyncLog } from '../data/index.ts';
import { BUILD_ID } from '../sync/build.ts';
import { isProbeReply, probeServer } from '../sync/probe.ts';
import type { ProbeResult } from '../sync/probe.ts';
import { device } from './device.svelte.ts';
import { describeOutboxRow, describeSyncLog, exportFileName, importSummaryText } from './diagnostics.ts';
import type { OutboxLine, SyncLogLine } from './diagnostics.ts';
import { live, type Live } from './live.svelte.ts';
import { writeErrorMessage } from './write-errors.ts';

export { BUILD_ID };

/** At most this many outbox rows are listed (a catch-up can queue thousands); the count says the rest. */
export const OUTBOX_ROWS_SHOWN = 200;
/** Sync attempts listed (the table keeps 100). */
export const SYNC_LOG_SHOWN = 25;

const time = (ms: number): string => new Date(ms).toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });

export interface OutboxView {
  readonly total: number;
  readonly lines: readonly OutboxLine[];
}

/** Every outbox row in outbox order, in words (DG1). Call during component init. */
export function outboxView(): Live<OutboxView> {
  return live(
    () => device.scope,
    async ({ db }) => {
      const rows = await listRows(db);
      const shown = rows.slice(0, OUTBOX_ROWS_SHOWN);
      const jobs = await db.jobs.bulkGet(shown.map((r) => (r.entity === 'punch' ? '' : r.entityId)));
      return {
        total: rows.length,
        lines: shown.map((row, i) => describeOutboxRow(row, row.entity === 'punch' ? null : (jobs[i]?.title ?? null), time)),
      };
    },
    { total: 0, lines: [] },
  );
}

/** The last sync attempts of the page and the service worker, newest first (DG3). Call during component init. */
export function syncLogView(): Live<readonly SyncLogLine[]> {
  return live(
    () => device.scope,
    async ({ db }) => (await recentSyncLog(db, SYNC_LOG_SHOWN)).map(describeSyncLog),
    [],
  );
}

/** What the page knows about its service worker (DG2). */
export interface WorkerInfo {
  /** A service worker controls this page (it answers the app's navigations, offline too). */
  readonly controlling: boolean;
  /** The active worker's state: activated, activating, ...; null when there is none. */
  readonly state: string | null;
  /** A newer worker is installed and waits. */
  readonly waiting: boolean;
  readonly supported: boolean;
}

export async function readWorkerInfo(): Promise<WorkerInfo> {
  if (!('serviceWorker' in navigator)) return { controlling: false, state: null, waiting: false, supported: false };
  const container = navigator.serviceWorker;
  const registration = await container.getRegistration().catch(() => undefined);
  const active = registration?.active ?? null;
  return {
    controlling: container.controller !== null,
    state: (container.controller ?? active)?.state ?? null,
    waiting: (registration?.waiting ?? null) !== null,
    supported: true,
  };
}

export type WorkerProbe =
  | { readonly kind: 'answered'; readonly version: string; readonly result: ProbeResult }
  | { readonly kind: 'no-worker' }
  | { readonly kind: 'no-answer'; readonly ms: number };

/** How long the page waits for the worker's answer (its own probe gives up after 8 s). */
const WORKER_ANSWER_MS = 10_000;

/**
 * DG2: ask the service worker to probe the server from where IT is (`{type: 'PROBE'}`). The answer comes on a
 * MessageChannel; a worker that does not answer in time says so.
 */
export async function probeFromWorker(): Promise<WorkerProbe> {
  if (!('serviceWorker' in navigator)) return { kind: 'no-worker' };
  const registration = await navigator.serviceWorker.getRegistration().catch(() => undefined);
  const worker = navigator.serviceWorker.controller ?? registration?.active ?? null;
  if (worker === null) return { kind: 'no-worker' };
  const started = performance.now();
  return new Promise<WorkerProbe>((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => {
      channel.port1.close();
      resolve({ kind: 'no-answer', ms: Math.round(performance.now() - started) });
    }, WORKER_ANSWER_MS);
    channel.port1.onmessage = (event: MessageEvent<unknown>) => {
      if (!isProbeReply(event.data)) return;
      clearTimeout(timer);
      channel.port1.close();
      resolve({ kind: 'answered', version: event.data.version, result: event.data.result });
    };
    worker.postMessage({ type: 'PROBE' }, [channel.port2]);
  });
}

/** DG2: the page's own `fetch('/api/health')`, for comparison with the worker's. */
export function probeFromPage(): Promise<ProbeResult> {
  return probeServer({ fetch: fetch.bind(globalThis) });
}

/** What an action on the page ended with, for its live region (DG4). */
export interface ActionOutcome {
  readonly ok: boolean;
  readonly text: string;
}

/** "Export unsent changes": a versioned JSON file of every change not yet acknowledged (OB8), downloaded. */
export async function downloadUnsentChanges(): Promise<ActionOutcome> {
  const scope = device.scope;
  if (scope === null) return { ok: false, text: 'Outpost is still opening on this device. Try again in a moment.' };
  try {
    const at = Date.now();
    const file = await exportUnsent(scope.db, at);
    const name = exportFileName(at);
    const url = URL.createObjectURL(new Blob([JSON.stringify(file, null, 2)], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    // The download has started from the URL; release it after this task.
    setTimeout(() => URL.revokeObjectURL(url), 0);
    const n = file.changes.length;
    return { ok: true, text: `Exported ${n === 1 ? '1 unsent change' : `${n} unsent changes`} to ${name}.` };
  } catch (err) {
    return { ok: false, text: `The export failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** "Import changes": queue an export file's changes here (OB8), then send them. */
export async function importChangesFile(file: Blob): Promise<ActionOutcome> {
  let text: string;
  try {
    text = await file.text();
  } catch (err) {
    return { ok: false, text: `The file could not be read: ${err instanceof Error ? err.message : String(err)}` };
  }
  try {
    const summary = await device.write((ctx) => importUnsent(ctx.db, text, ctx.now()));
    return { ok: true, text: `${importSummaryText(summary)}.` };
  } catch (err) {
    return { ok: false, text: err instanceof ImportFileError ? err.message : writeErrorMessage(err) };
  }
}
