/**
 * The service worker's sync engine, built from the service worker's own parts (SY7): the fetch transport on
 * this origin (the session cookie rides along, AU1), the reconciler called directly (a service worker cannot
 * start a dedicated worker), `navigator.locks` for the one drain at a time (SY1), real clock and timers.
 */
import { openOutpostDb } from '../src/data/db.ts';
import type { OutpostDb } from '../src/data/db.ts';
import { createHttpTransport, createSyncEngine, systemTimers } from '../src/sync/index.ts';
import type { SyncEngine } from '../src/sync/index.ts';
import { createReconciler } from '../src/worker/reconciler.ts';
import type { SwDrainDeps } from './drain.ts';

export function serviceWorkerDrainDeps(sw: ServiceWorkerGlobalScope): SwDrainDeps {
  return {
    openDb: () => openOutpostDb(),
    createEngine: (db: OutpostDb): SyncEngine =>
      createSyncEngine({
        db,
        transport: createHttpTransport({ baseUrl: '', fetch: sw.fetch.bind(sw) }),
        reconciler: createReconciler(db),
        locks: sw.navigator.locks,
        clock: { now: () => Date.now() },
        timers: systemTimers,
        random: Math.random,
        context: 'service-worker', // DG3: the diagnostics page shows the worker's drains too
      }),
  };
}
