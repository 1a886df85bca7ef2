import type { Change, EntityName, EntityState, OriginalReceipt, PulledRecord, Receipt, RefusalCode, Role } from '../../protocol/index.ts';

/** The signed-in person a batch or a pull is made for (PL2, SV4). */
export interface Actor {
  readonly userId: string;
  readonly orgId: string;
  readonly role: Role;
}

/**
 * One element of a push, checked on its own (PU2) before it reaches storage.
 * `raw` is what the device sent; `contentHash` binds the change id to it (PU3).
 */
export type IncomingChange =
  | { readonly kind: 'valid'; readonly id: string; readonly change: Change; readonly contentHash: string; readonly raw: unknown }
  | {
      readonly kind: 'refused';
      readonly id: string;
      readonly code: RefusalCode;
      readonly reason: string;
      readonly contentHash: string;
      readonly raw: unknown;
      /** False when the refusal depends on this server, not the change (payload_too_new): a resend after an upgrade is decided afresh. */
      readonly storeReceipt: boolean;
    };

/** A receipt already stored for a change id (PU3). */
export interface StoredReceipt {
  readonly userId: string;
  readonly contentHash: string;
  readonly receipt: OriginalReceipt;
}

/** An entity row of the actor's organisation as storage keeps it. */
export interface StoredEntity {
  readonly orgId: string;
  readonly state: EntityState;
  /** Sequence number of the last change that touched this row (pull order, PL1). */
  readonly lastSeq: number;
  /** Reports only: the worker who may read it (the job's assignee, PL2). */
  readonly scopeUserId: string | null;
}

export interface EntityKey {
  readonly entity: EntityName;
  readonly entityId: string;
}

export function entityKey(entity: EntityName, entityId: string): string {
  return `${entity}:${entityId}`;
}

/** What storage must load (inside the batch transaction) before it calls plan. */
export interface PlanNeeds {
  readonly changeIds: readonly string[];
  readonly entities: readonly EntityKey[];
  /** User ids whose membership of the actor's organisation matters (assignees, punch owners). */
  readonly userIds: readonly string[];
}

export interface PlanInput {
  readonly actor: Actor;
  readonly changes: readonly IncomingChange[];
  readonly receipts: ReadonlyMap<string, StoredReceipt>;
  /** By `entityKey`; only entities of the actor's organisation. */
  readonly entities: ReadonlyMap<string, StoredEntity>;
  /** Those of `needs().userIds` that belong to the actor's organisation. */
  readonly members: ReadonlySet<string>;
  /** First free change-log sequence number. */
  readonly nextSeq: number;
  readonly now: number;
}

export interface ChangeLogRow {
  readonly seq: number;
  readonly orgId: string;
  readonly changeId: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly entity: EntityName;
  readonly entityId: string;
  readonly version: number;
  readonly outcome: 'applied' | 'conflict';
  readonly change: Change;
  readonly createdAt: number;
}

export interface ReceiptRow {
  readonly changeId: string;
  readonly userId: string;
  readonly contentHash: string;
  readonly receipt: OriginalReceipt;
  readonly createdAt: number;
}

export interface ConflictRow {
  readonly id: string;
  readonly orgId: string;
  readonly changeId: string;
  readonly entity: EntityName;
  readonly entityId: string;
  readonly field: string;
  readonly serverValue: unknown;
  readonly clientValue: unknown;
  readonly createdAt: number;
}

export interface RejectionRow {
  readonly changeId: string;
  readonly userId: string;
  readonly orgId: string;
  readonly code: RefusalCode;
  readonly reason: string;
  readonly content: unknown;
  readonly createdAt: number;
}

/** PL4: a person may no longer see an entity (its job went to someone else), or may again. */
export interface Revocation {
  readonly orgId: string;
  readonly userId: string;
  readonly entity: EntityName;
  readonly entityId: string;
  /** The entity's version when access ended. */
  readonly version: number;
  /** Position in the pull order. */
  readonly seq: number;
}

export interface PlanOutput {
  /** One per incoming change, in order (PU1). */
  readonly receipts: Receipt[];
  /** Final rows of every entity the batch changed, to upsert. */
  readonly entities: StoredEntity[];
  readonly log: ChangeLogRow[];
  readonly newReceipts: ReceiptRow[];
  readonly conflicts: ConflictRow[];
  readonly rejections: RejectionRow[];
  /** PL4: people who lost sight of an entity in this batch. */
  readonly revocations: Revocation[];
  /** PL4: people who see an entity again (their earlier revocation no longer holds). */
  readonly restored: Omit<Revocation, 'version' | 'seq'>[];
  /** Highest sequence number handed out, or null when nothing changed. */
  readonly lastSeq: number | null;
}

export interface BatchResult {
  readonly receipts: Receipt[];
  /** Highest sequence number this batch committed, or null when it changed nothing (no poke, LV1). */
  readonly lastSeq: number | null;
}

export interface PullPage {
  readonly records: PulledRecord[];
  readonly cursor: number;
  readonly more: boolean;
}
