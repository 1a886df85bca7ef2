// Client sync: shared by the page and the service worker (SY7).
export { BACKOFF_BASE_MS, BACKOFF_CAP_MS, backoffDelay, parseRetryAfter } from './backoff.ts';
export { createSyncEngine } from './engine.ts';
export type {
  DrainOutcome,
  DrainResult,
  LiveMessageToFollow,
  ReconcilerLike,
  SyncEngine,
  SyncEngineDeps,
  SyncPhase,
  SyncReason,
  SyncStatus,
  TriggerEvent,
  TriggerSource,
} from './engine.ts';
export { SYNC_LOCK, createMemoryLocks } from './locks.ts';
export type { LockInfo, LockRequestOptions, LocksLike } from './locks.ts';
export { systemTimers } from './timers.ts';
export type { ClockLike, TimersLike } from './timers.ts';
export { createHttpTransport } from './transport.ts';
export type { HttpTransportOptions, SyncTransport, TransportResult } from './transport.ts';
