// The data layer's public API: the only functions that change app data or the outbox (OB2).
export { DB_VERSION, DEFAULT_DB_NAME, OUTBOX_STATES, OutpostDb, openOutpostDb } from './db.ts';
export type { BaseRow, EntityKey, MetaValues, OpenDbDeps, OutboxRow, OutboxState, SyncLogContext, SyncLogRow } from './db.ts';
export { SYNC_LOG_LIMIT, appendSyncLog, recentSyncLog } from './sync-log.ts';
export type { SyncLogEntry } from './sync-log.ts';
export {
  ChangeRefusedError,
  InvalidChangeError,
  OutboxRowError,
  ReloadRequiredError,
  StorageFullError,
  WriteFailedError,
} from './errors.ts';
export { ensureDeviceId, getMeta, mergeServerHlc, setMeta } from './meta.ts';
export {
  countByState,
  discard,
  listPending,
  listRows,
  listUnsent,
  pruneAcked,
  release,
  resetSending,
  retryRefused,
  settle,
  takeBatch,
} from './outbox.ts';
export type { OutboxCounts, SettleSummary } from './outbox.ts';
export {
  createJob,
  openDataContext,
  recordPunch,
  saveReportNotes,
  setChecklistItem,
  setJobStatus,
  setMeasurement,
  updateJob,
} from './write.ts';
export type { DataContext, JobEdit, NewJob, NewPunch, WriteResult } from './write.ts';
export { rowToChange } from './visible.ts';
export { EXPORT_FORMAT, ImportFileError, exportUnsent, importUnsent, parseExportFile } from './transfer.ts';
export type { ExportFile, ImportSummary } from './transfer.ts';
export { handOver } from './handover.ts';
export type { HandOverResult } from './handover.ts';
