/**
 * The service worker's outbox drain (SY3: the `sync` event, also with every tab closed; SY7: the same engine
 * as the page, built from injected parts). One engine per service worker lifetime, made on the first sync.
 *
 * - Every drain runs under the Web Lock `outpost-sync` (SY1), so the page's engine and this one never send
 *   in parallel; rows a killed context left `sending` go back to `pending` at the next drain (OB4).
 * - A transient failure (backoff, offline, error) rejects, so the `sync` event fails and the browser retries
 *   the registration later. Signed-out, update-required and per-request refusals resolve: a browser retry
 *   cannot help; every row stays in the outbox for the page's triggers (contract 8, PU7).
 * - VR2: once a newer schema is opened elsewhere, this (older) code never touches the database again.
 */
import type { OutpostDb } from '../src/data/db.ts';
import type { DrainOutcome, DrainResult, SyncEngine } from '../src/sync/engine.ts';

/** What one service-worker drain ended with; `retired` when this worker's code is older than the database (VR2). */
export type SwDrainOutcome = DrainOutcome | 'retired';

export interface SwDrainResult {
  readonly outcome: SwDrainOutcome;
  readonly pushed: number;
  readonly pulled: number;
}

export interface SwDrainDeps {
  /** Open the one Outpost database (src/data/db.ts, VR2). Called lazily, once per engine. */
  openDb(): OutpostDb;
  /** Build the sync engine on that database (transport, reconciler, locks, clock, timers injected). */
  createEngine(db: OutpostDb): SyncEngine;
}

/** Outcomes a later retry of the `sync` event may fix (SY4): the event rejects so the browser retries. */
const TRANSIENT: ReadonlySet<SwDrainOutcome> = new Set<SwDrainOutcome>(['backoff', 'offline', 'error']);

/** Outcomes that pause sending until the person acts (sign in again, update): resume on the next sync. */
const PAUSED_PHASES: ReadonlySet<string> = new Set(['signed-out', 'update-required']);

/** Thrown from the `sync` handler so the browser schedules another attempt (Chromium: up to 3). */
export class SyncRetryLaterError extends Error {
  constructor(
    readonly outcome: SwDrainOutcome,
    reason: string | null,
  ) {
    super(`Outbox drain did not finish (${outcome})${reason ? `: ${reason}` : ''}; the browser will retry.`);
    this.name = 'SyncRetryLaterError';
  }
}

export interface ServiceWorkerDrain {
  /** Run one drain (SY1 serialized with every other context). Rejects with SyncRetryLaterError on a transient failure. */
  drain(): Promise<SwDrainResult>;
  /** True once this worker stopped using the database for good (VR2). */
  readonly retired: boolean;
}

export function createServiceWorkerDrain(deps: SwDrainDeps): ServiceWorkerDrain {
  let db: OutpostDb | null = null;
  let engine: SyncEngine | null = null;
  let retired = false;

  function retire(): void {
    retired = true;
    engine = null;
    db = null;
  }

  function currentEngine(): SyncEngine | null {
    if (retired) return null;
    if (db?.closedForUpgrade) {
      retire();
      return null;
    }
    if (engine === null) {
      const opened = deps.openDb();
      opened.onVersionChange(retire); // VR2: closed for good; never reopen in the old shape
      db = opened;
      engine = deps.createEngine(opened);
    }
    return engine;
  }

  return {
    async drain() {
      const current = currentEngine();
      if (current === null) return { outcome: 'retired', pushed: 0, pulled: 0 };
      // A new sync event after a pause usually follows a sign-in or an update: try again once.
      const result: DrainResult = PAUSED_PHASES.has(current.status().phase) ? await current.resume() : await current.syncNow('sw-sync');
      if (db?.closedForUpgrade) retire();
      if (retired) return { outcome: 'retired', pushed: result.pushed, pulled: result.pulled };
      if (TRANSIENT.has(result.outcome)) throw new SyncRetryLaterError(result.outcome, current.status().lastError);
      return { outcome: result.outcome, pushed: result.pushed, pulled: result.pulled };
    },
    get retired() {
      return retired;
    },
  };
}
