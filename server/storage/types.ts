import type { PulledRecord, Role, User } from '../../protocol/index.ts';
import type { Actor, BatchResult, IncomingChange, PullPage } from '../sync/types.ts';

export type { Actor, BatchResult, IncomingChange, PullPage } from '../sync/types.ts';

export interface Org {
  readonly id: string;
  readonly name: string;
}

export interface NewUser {
  readonly id?: string;
  readonly orgId: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  /** scrypt hash from server/auth/password.ts (AU1); storage never sees a password. */
  readonly passwordHash: string;
}

export interface UserWithPassword extends User {
  readonly passwordHash: string;
}

export interface SessionRow {
  /** SHA-256 of the token; the token itself is never stored (AU1). */
  readonly tokenHash: string;
  readonly userId: string;
  readonly expiresAt: number;
  readonly createdAt: number;
}

export interface ConflictRecord {
  readonly id: string;
  readonly changeId: string;
  readonly entity: string;
  readonly entityId: string;
  readonly field: string;
  readonly serverValue: unknown;
  readonly clientValue: unknown;
  readonly status: string;
}

export interface RejectionRecord {
  readonly changeId: string;
  readonly userId: string;
  readonly code: string;
  readonly reason: string;
  readonly content: unknown;
}

/** Test hooks; never set in production. */
export interface StorageHooks {
  /** Called inside the batch transaction after each change-log row is written; throwing aborts the batch (PU4 tests). */
  readonly afterLogRow?: (changeId: string) => void;
  /** Called after each committed push transaction with the number of pushes it held (group commit, PU8). */
  readonly afterCommit?: (pushes: number) => void;
}

export interface OpenOptions {
  readonly hooks?: StorageHooks;
}

/**
 * Everything the sync server keeps. Every method is asynchronous so that a
 * PostgreSQL implementation fits behind the same interface. Domain decisions
 * live in server/sync/plan.ts, not here.
 */
export interface ServerStorage {
  readonly kind: string;

  createOrg(input: { readonly name: string; readonly id?: string }): Promise<Org>;
  /** Emails are unique, compared without case. */
  createUser(input: NewUser): Promise<User>;
  findUserByEmail(email: string): Promise<UserWithPassword | null>;
  getUser(id: string): Promise<User | null>;
  listUsers(orgId: string): Promise<User[]>;
  countUsers(): Promise<number>;

  createSession(session: SessionRow): Promise<void>;
  /** The stored row, expired or not: the caller decides (AU2). */
  getSession(tokenHash: string): Promise<SessionRow | null>;
  deleteSession(tokenHash: string): Promise<void>;
  deleteExpiredSessions(now: number): Promise<number>;

  /**
   * Decide and store a batch in one transaction (PU4) via `needs` and `plan`
   * (server/sync/plan.ts). Receipts come back in the order of `changes`.
   */
  applyBatch(actor: Actor, changes: readonly IncomingChange[]): Promise<BatchResult>;
  /** Entities `actor` may read (PL2) whose last change is after `cursor`, in sequence order (PL1). */
  pull(actor: Actor, cursor: number, limit: number): Promise<PullPage>;
  /**
   * PL5: jobs `actor` may read (PL2), not deleted, scheduled from `from` to `to` (YYYY-MM-DD,
   * inclusive), soonest first, then the reports of those jobs; at most `limit` records in all.
   */
  pullPriority(actor: Actor, from: string, to: string, limit: number): Promise<PulledRecord[]>;
  /** Highest sequence number committed (0 when empty). */
  latestSeq(): Promise<number>;

  /** The organisation's open conflicts (CF4), oldest first. */
  listConflicts(orgId: string): Promise<ConflictRecord[]>;
  /** Refused and id-reusing changes recorded for the organisation (PU3), oldest first. */
  listRejections(orgId: string): Promise<RejectionRecord[]>;

  close(): Promise<void>;
}
