import Dexie, { type EntityTable, type Table } from 'dexie';
import type {
  ChangeId,
  EntityName,
  EntityState,
  JobRecord,
  Op,
  OriginalReceipt,
  PunchRecord,
  ReportRecord,
} from '../../protocol/index.ts';

/**
 * THE local schema (VR2): every context — page, reconcile worker, service
 * worker — opens the database through this module and nothing else.
 * Bump DB_VERSION and add a `version(n).stores()` step for every change.
 */
export const DB_VERSION = 2;
export const DEFAULT_DB_NAME = 'outpost';

/** Version 1: app data, the pulled base, the outbox and meta. */
export const SCHEMA_V1 = {
  jobs: 'id, assigneeId, scheduledFor, status',
  reports: 'id, jobId',
  punches: 'id, userId, at, [userId+at]',
  base: '[entity+entityId]',
  outbox: '++seq, &changeId, state, [entity+entityId]',
  meta: 'key',
} as const;

/** Version 2: adds `syncLog`, the last sync attempts of every context (DG3). Nothing else changes. */
export const SCHEMA_V2 = { ...SCHEMA_V1, syncLog: '++id, at' } as const;

/** Which context ran a drain (DG3). */
export type SyncLogContext = 'page' | 'service-worker';

/** One drain pass, as the diagnostics page shows it (DG3). Written by the engine after the pass. */
export interface SyncLogRow {
  /** Auto-increment, shared by every context: the order the passes ended in. */
  id: number;
  /** When the pass ended (ms since epoch). */
  at: number;
  context: SyncLogContext;
  /** Why the drain ran (SY3 trigger: start, online, manual, sw-sync, ...). */
  reason: string;
  /** The drain's outcome (synced, offline, backoff, signed-out, ...). */
  outcome: string;
  durationMs: number;
  /** Rows settled by push answers in this pass. */
  pushed: number;
  /** Pulled records applied in this pass. */
  pulled: number;
  error: string | null;
}

/** Outbox row states (OB3). */
export const OUTBOX_STATES = ['pending', 'sending', 'acked', 'refused', 'conflict'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/** One queued change (protocol `Change` fields, stored by meaning) and its delivery state (OB3). */
export interface OutboxRow {
  /** Auto-increment: outbox order (PU1). */
  seq: number;
  changeId: ChangeId;
  deviceId: string;
  entity: EntityName;
  entityId: string;
  op: Op;
  fields: Record<string, unknown>;
  hlc: string;
  baseVersion: number;
  payloadVersion: number;
  state: OutboxState;
  /** How many times the row was handed to a push; > 0 means it may have reached the server (OB5). */
  attempts: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  /** The final server answer once settled (a duplicate is stored as its original). */
  receipt: OriginalReceipt | null;
}

/** Server state of one entity as last pulled (the base of RC2). */
export type BaseRow = EntityState;

export interface MetaRow {
  key: string;
  value: unknown;
}

/** Known meta keys and the type of their value. */
export interface MetaValues {
  deviceId: string;
  userId: string;
  /** Pull cursor (PL1), opaque. */
  cursor: string;
  /** The device's hybrid logical clock stamp (SY6). */
  hlc: string;
  lastSyncAt: number;
}

export type EntityKey = readonly [entity: EntityName, entityId: string];

export interface OpenDbDeps {
  indexedDB: IDBFactory;
  IDBKeyRange: typeof IDBKeyRange;
  /** Called once when another context opened a newer schema: this connection is closed for good (VR2). */
  onVersionChange?: (newVersion: number | null) => void;
}

export interface OpenDbOptions {
  /**
   * Chromium's commit durability for this connection's transactions. `strict` (the default) is what every
   * local write needs (OB1). Only the reconcile worker opens with `relaxed`: it stores derived data — pulled
   * pages, the cursor with them, rebased visible records — and a page lost with the power is pulled again
   * (PL3, RC4). Transactions stay atomic either way.
   */
  durability?: 'strict' | 'relaxed';
}

export class OutpostDb extends Dexie {
  declare readonly jobs: EntityTable<JobRecord, 'id'>;
  declare readonly reports: EntityTable<ReportRecord, 'id'>;
  declare readonly punches: EntityTable<PunchRecord, 'id'>;
  declare readonly base: Table<BaseRow, EntityKey>;
  declare readonly outbox: EntityTable<OutboxRow, 'seq'>;
  declare readonly meta: Table<MetaRow, string>;
  declare readonly syncLog: EntityTable<SyncLogRow, 'id'>;

  #closedForUpgrade = false;
  readonly #listeners = new Set<(newVersion: number | null) => void>();

  constructor(name: string, deps?: OpenDbDeps, options: OpenDbOptions = {}) {
    super(name, {
      // OB1: data that must survive power loss. RC4: the reconcile worker's connection may relax it.
      chromeTransactionDurability: options.durability ?? 'strict',
      // liveQuery results are frozen instead of cloned; nothing here mutates rows it read.
      cache: 'immutable',
      ...(deps ? { indexedDB: deps.indexedDB, IDBKeyRange: deps.IDBKeyRange } : {}),
    });
    this.version(1).stores(SCHEMA_V1);
    // v2 only adds a table: no upgrade function, every v1 row (the outbox above all) stays as it is (VR2).
    this.version(2).stores(SCHEMA_V2);
    if (deps?.onVersionChange) this.#listeners.add(deps.onVersionChange);

    // VR2: Dexie's default handler closes and silently reopens at the newer
    // version on the next query (FIELD-NOTES). Close for good instead and tell
    // the app, which asks the person to reload. Returning false stops the default.
    this.on('versionchange', (event: IDBVersionChangeEvent) => {
      this.#closedForUpgrade = true;
      this.close({ disableAutoOpen: true });
      for (const listener of this.#listeners) {
        try {
          listener(event.newVersion);
        } catch {
          // a listener's failure must not keep the old connection open
        }
      }
      return false;
    });
  }

  /** True once a newer schema appeared elsewhere; this connection will not reopen (VR2). */
  get closedForUpgrade(): boolean {
    return this.#closedForUpgrade;
  }

  /** Observe VR2 closes. Returns an unsubscribe function. */
  onVersionChange(listener: (newVersion: number | null) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** Open (lazily, on first query) the one Outpost database. */
export function openOutpostDb(name: string = DEFAULT_DB_NAME, deps?: OpenDbDeps, options?: OpenDbOptions): OutpostDb {
  return new OutpostDb(name, deps, options);
}

/** The visible table of an entity. */
export function visibleTable(db: OutpostDb, entity: EntityName): Table<JobRecord | ReportRecord | PunchRecord, string> {
  switch (entity) {
    case 'job':
      return db.jobs as Table<JobRecord | ReportRecord | PunchRecord, string>;
    case 'report':
      return db.reports as Table<JobRecord | ReportRecord | PunchRecord, string>;
    case 'punch':
      return db.punches as Table<JobRecord | ReportRecord | PunchRecord, string>;
  }
}

/** Every table a rebase of visible records touches. */
export function rebaseTables(db: OutpostDb): Table[] {
  return [db.base, db.outbox, db.jobs, db.reports, db.punches] as Table[];
}
