import type { createReconciler } from './reconciler.ts';

/**
 * The reconcile worker's API, typed once (STYLE 5). The page imports only this
 * type and wraps the worker with Comlink: `wrap<ReconcilerApi>(worker)`.
 */
export type ReconcilerApi = ReturnType<typeof createReconciler>;
export type { ReconcileReport } from './reconciler.ts';
