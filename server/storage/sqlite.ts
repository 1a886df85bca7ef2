import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { EntityName, FieldClock, OriginalReceipt, PulledRecord, Role, User } from '../../protocol/index.ts';
import { needs, plan } from '../sync/plan.ts';
import type { Actor, BatchResult, IncomingChange, PlanOutput, StoredEntity, StoredReceipt } from '../sync/types.ts';
import { entityKey } from '../sync/types.ts';
import { migrate } from './sqlite-schema.ts';
import type { ConflictRecord, OpenOptions, RejectionRecord, ServerStorage, SessionRow, UserWithPassword } from './types.ts';

interface UserRow {
  id: string;
  org_id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string;
}

interface EntityRow {
  id: string;
  version: number;
  deleted: number;
  fields: string;
  clocks: string;
  last_seq: number;
  scope_user_id?: string | null;
  /** PL4: 1 for a revocation row in a pull. */
  revoked?: number;
}

/** A stored entity row as the protocol's entity state (its JSON columns parsed). */
function stateOfRow(entity: EntityName, r: EntityRow): PulledRecord {
  return {
    entity,
    entityId: r.id,
    version: r.version,
    deleted: r.deleted === 1,
    fields: JSON.parse(r.fields) as Record<string, unknown>,
    clocks: JSON.parse(r.clocks) as Record<string, FieldClock>,
  };
}

/** Most changes applied in one group commit (PU8); a push is never split. */
const MAX_GROUP_CHANGES = 5_000;

const TABLE: Record<EntityName, string> = { job: 'jobs', report: 'reports', punch: 'punches' };

function toUser(r: UserRow): User {
  return { id: r.id, orgId: r.org_id, email: r.email, name: r.name, role: r.role };
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** SQLite storage (better-sqlite3): WAL, NORMAL sync, foreign keys, numbered migrations. */
export async function openSqliteStorage(file: string, options: OpenOptions = {}): Promise<ServerStorage> {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -65536'); // 64 MiB page cache
  // Checkpoint the WAL every ~40 MiB instead of every 4 MiB: device ids and change ids are random, so a
  // batch dirties many B-tree pages, and the default made every other push pay a checkpoint with its
  // fsyncs (bench/: ingest, profiled). The WAL file is truncated back to 64 MiB after a checkpoint.
  db.pragma('wal_autocheckpoint = 10000');
  db.pragma('journal_size_limit = 67108864');
  migrate(db);
  const hooks = options.hooks ?? {};

  const q = {
    insertOrg: db.prepare('INSERT INTO orgs (id, name, created_at) VALUES (?, ?, ?)'),
    insertUser: db.prepare(
      'INSERT INTO users (id, org_id, email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    userByEmail: db.prepare('SELECT * FROM users WHERE email = ?'),
    userById: db.prepare('SELECT * FROM users WHERE id = ?'),
    usersOfOrg: db.prepare('SELECT * FROM users WHERE org_id = ? ORDER BY created_at, email'),
    countUsers: db.prepare('SELECT COUNT(*) AS n FROM users'),
    insertSession: db.prepare('INSERT INTO sessions (token_hash, user_id, expires_at, created_at) VALUES (?, ?, ?, ?)'),
    session: db.prepare('SELECT token_hash, user_id, expires_at, created_at FROM sessions WHERE token_hash = ?'),
    deleteSession: db.prepare('DELETE FROM sessions WHERE token_hash = ?'),
    deleteExpired: db.prepare('DELETE FROM sessions WHERE expires_at <= ?'),
    receipts: db.prepare(
      'SELECT change_id, user_id, content_hash, receipt FROM receipts WHERE change_id IN (SELECT value FROM json_each(?))',
    ),
    members: db.prepare('SELECT id FROM users WHERE org_id = ? AND id IN (SELECT value FROM json_each(?))'),
    entities: {
      job: db.prepare(
        'SELECT id, version, deleted, fields, clocks, last_seq FROM jobs WHERE org_id = ? AND id IN (SELECT value FROM json_each(?))',
      ),
      report: db.prepare(
        'SELECT id, version, deleted, fields, clocks, last_seq, scope_user_id FROM reports WHERE org_id = ? AND id IN (SELECT value FROM json_each(?))',
      ),
      punch: db.prepare(
        'SELECT id, version, deleted, fields, clocks, last_seq FROM punches WHERE org_id = ? AND id IN (SELECT value FROM json_each(?))',
      ),
    },
    upsert: {
      job: db.prepare(`INSERT INTO jobs (org_id, id, assignee_id, scheduled_for, status, version, deleted, fields, clocks, last_seq)
        VALUES (@org, @id, @assignee, @scheduledFor, @status, @version, @deleted, @fields, @clocks, @lastSeq)
        ON CONFLICT (org_id, id) DO UPDATE SET assignee_id = excluded.assignee_id, scheduled_for = excluded.scheduled_for,
          status = excluded.status, version = excluded.version, deleted = excluded.deleted, fields = excluded.fields,
          clocks = excluded.clocks, last_seq = excluded.last_seq`),
      report: db.prepare(`INSERT INTO reports (org_id, id, job_id, scope_user_id, version, deleted, fields, clocks, last_seq)
        VALUES (@org, @id, @jobId, @scope, @version, @deleted, @fields, @clocks, @lastSeq)
        ON CONFLICT (org_id, id) DO UPDATE SET job_id = excluded.job_id, scope_user_id = excluded.scope_user_id,
          version = excluded.version, deleted = excluded.deleted, fields = excluded.fields, clocks = excluded.clocks,
          last_seq = excluded.last_seq`),
      punch: db.prepare(`INSERT INTO punches (org_id, id, user_id, at, kind, version, deleted, fields, clocks, last_seq)
        VALUES (@org, @id, @userId, @at, @kind, @version, @deleted, @fields, @clocks, @lastSeq)
        ON CONFLICT (org_id, id) DO UPDATE SET user_id = excluded.user_id, at = excluded.at, kind = excluded.kind,
          version = excluded.version, deleted = excluded.deleted, fields = excluded.fields, clocks = excluded.clocks,
          last_seq = excluded.last_seq`),
    },
    insertLog: db.prepare(`INSERT INTO change_log (seq, change_id, org_id, user_id, device_id, entity, entity_id, version, outcome, change, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    insertReceipt: db.prepare('INSERT INTO receipts (change_id, user_id, content_hash, receipt, created_at) VALUES (?, ?, ?, ?, ?)'),
    insertConflict: db.prepare(`INSERT INTO conflicts (id, org_id, change_id, entity, entity_id, field, server_value, client_value, status, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)`),
    insertRejection: db.prepare(`INSERT INTO rejected_changes (change_id, user_id, org_id, code, reason, content, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    revoke: db.prepare(`INSERT INTO revocations (org_id, user_id, entity, entity_id, version, seq) VALUES (@orgId, @userId, @entity, @entityId, @version, @seq)
      ON CONFLICT (org_id, user_id, entity, entity_id) DO UPDATE SET version = excluded.version, seq = excluded.seq`),
    restore: db.prepare('DELETE FROM revocations WHERE org_id = @orgId AND user_id = @userId AND entity = @entity AND entity_id = @entityId'),
    lastSeq: db.prepare('SELECT last_seq FROM seq_state WHERE id = 1'),
    setLastSeq: db.prepare('UPDATE seq_state SET last_seq = ? WHERE id = 1'),
    conflicts: db.prepare("SELECT * FROM conflicts WHERE org_id = ? AND status = 'open' ORDER BY created_at, id"),
    rejections: db.prepare('SELECT * FROM rejected_changes WHERE org_id = ? ORDER BY id'),
  };

  const pullBranch = (entity: EntityName, scopeColumn: string, worker: boolean) =>
    `SELECT * FROM (SELECT '${entity}' AS entity, id, version, deleted, fields, clocks, last_seq, 0 AS revoked FROM ${TABLE[entity]}
      WHERE org_id = @org AND last_seq > @cursor${worker ? ` AND ${scopeColumn} = @user` : ''} ORDER BY last_seq LIMIT @n)`;
  // PL4: a worker also receives what they may no longer see, in the same order.
  const revokedBranch = `SELECT * FROM (SELECT entity, entity_id AS id, version, 1 AS deleted, '{}' AS fields, '{}' AS clocks, seq AS last_seq, 1 AS revoked
      FROM revocations WHERE org_id = @org AND user_id = @user AND seq > @cursor ORDER BY seq LIMIT @n)`;
  const pullSql = (worker: boolean) =>
    `${[pullBranch('job', 'assignee_id', worker), pullBranch('report', 'scope_user_id', worker), pullBranch('punch', 'user_id', worker), ...(worker ? [revokedBranch] : [])].join(
      ' UNION ALL ',
    )} ORDER BY last_seq LIMIT @n`;
  const pullWorker = db.prepare(pullSql(true));
  const pullWhole = db.prepare(pullSql(false));
  // PL5: a worker's own jobs (or, for a manager, the organisation's) by scheduled day, then their reports.
  const priorityJobs = (worker: boolean) =>
    db.prepare(`SELECT id, version, deleted, fields, clocks FROM jobs WHERE org_id = @org${worker ? ' AND assignee_id = @user' : ''}
      AND scheduled_for BETWEEN @from AND @to AND deleted = 0 ORDER BY scheduled_for, id LIMIT @n`);
  const priorityJobsWorker = priorityJobs(true);
  const priorityJobsWhole = priorityJobs(false);
  const priorityReports = db.prepare(`SELECT id, version, deleted, fields, clocks FROM reports
    WHERE org_id = @org AND id IN (SELECT value FROM json_each(@ids)) AND (@worker = 0 OR scope_user_id = @user) ORDER BY id`);

  const currentSeq = () => (q.lastSeq.get() as { last_seq: number }).last_seq;
  /** Reads in one snapshot (a deferred read transaction; WAL readers never wait for the writer). */
  const pullSnapshot = <T>(read: () => T): T => db.transaction(read).deferred();

  function load(actor: Actor, changes: readonly IncomingChange[]) {
    const need = needs(actor, changes);
    const receipts = new Map<string, StoredReceipt>();
    for (const r of q.receipts.all(JSON.stringify(need.changeIds)) as { change_id: string; user_id: string; content_hash: string; receipt: string }[]) {
      receipts.set(r.change_id, { userId: r.user_id, contentHash: r.content_hash, receipt: JSON.parse(r.receipt) as OriginalReceipt });
    }
    const entities = new Map<string, StoredEntity>();
    for (const entity of Object.keys(TABLE) as EntityName[]) {
      const ids = need.entities.filter((k) => k.entity === entity).map((k) => k.entityId);
      if (ids.length === 0) continue;
      for (const r of q.entities[entity].all(actor.orgId, JSON.stringify(ids)) as EntityRow[]) {
        entities.set(entityKey(entity, r.id), {
          orgId: actor.orgId,
          state: stateOfRow(entity, r),
          lastSeq: r.last_seq,
          scopeUserId: r.scope_user_id ?? null,
        });
      }
    }
    const members = new Set<string>(
      need.userIds.length === 0
        ? []
        : (q.members.all(actor.orgId, JSON.stringify(need.userIds)) as { id: string }[]).map((r) => r.id),
    );
    return { receipts, entities, members };
  }

  function writeEntity(row: StoredEntity): void {
    const { state } = row;
    const base = {
      org: row.orgId,
      id: state.entityId,
      version: state.version,
      deleted: state.deleted ? 1 : 0,
      fields: JSON.stringify(state.fields),
      clocks: JSON.stringify(state.clocks),
      lastSeq: row.lastSeq,
    };
    const f = state.fields;
    switch (state.entity) {
      case 'job':
        q.upsert.job.run({ ...base, assignee: str(f.assigneeId), scheduledFor: str(f.scheduledFor), status: str(f.status) });
        return;
      case 'report':
        q.upsert.report.run({ ...base, jobId: str(f.jobId) ?? state.entityId, scope: row.scopeUserId });
        return;
      case 'punch':
        q.upsert.punch.run({ ...base, userId: str(f.userId) ?? '', at: typeof f.at === 'number' ? f.at : null, kind: str(f.kind) });
        return;
    }
  }

  function write(out: PlanOutput): void {
    for (const l of out.log) {
      q.insertLog.run(l.seq, l.changeId, l.orgId, l.userId, l.deviceId, l.entity, l.entityId, l.version, l.outcome, JSON.stringify(l.change), l.createdAt);
      hooks.afterLogRow?.(l.changeId);
    }
    for (const e of out.entities) writeEntity(e);
    for (const r of out.newReceipts) q.insertReceipt.run(r.changeId, r.userId, r.contentHash, JSON.stringify(r.receipt), r.createdAt);
    for (const c of out.conflicts) {
      q.insertConflict.run(c.id, c.orgId, c.changeId, c.entity, c.entityId, c.field, JSON.stringify(c.serverValue ?? null), JSON.stringify(c.clientValue ?? null), c.createdAt);
    }
    for (const r of out.rejections) {
      q.insertRejection.run(r.changeId, r.userId, r.orgId, r.code, r.reason, JSON.stringify(r.content ?? null), r.createdAt);
    }
    for (const r of out.restored) q.restore.run(r);
    for (const r of out.revocations) q.revoke.run(r);
    if (out.lastSeq !== null) q.setLastSeq.run(out.lastSeq);
  }

  /** Load, decide and write one push. Call inside a transaction. */
  const applyOne = (actor: Actor, changes: readonly IncomingChange[]): BatchResult => {
    const loaded = load(actor, changes);
    const out = plan({ actor, changes, ...loaded, nextSeq: currentSeq() + 1, now: Date.now() });
    write(out);
    return { receipts: out.receipts, lastSeq: out.lastSeq };
  };
  // PU4: load, decide and write in one IMMEDIATE transaction; any throw rolls everything back.
  const batch = db.transaction(applyOne);

  // PU8: group commit. Pushes that reach applyBatch while the event loop is busy (in the same turn, or
  // while an earlier group is being written) are queued and applied one after another, in arrival
  // order, inside ONE transaction: each push gets exactly the receipts it would get alone (a later push
  // sees what an earlier one wrote), and the group pays one COMMIT instead of one per push. Answers are
  // given only after that COMMIT. If anything throws, the whole group is rolled back and each push is
  // then applied in its own transaction, so one push's failure never fails another.
  interface Queued {
    readonly actor: Actor;
    readonly changes: readonly IncomingChange[];
    readonly resolve: (result: BatchResult) => void;
    readonly reject: (error: unknown) => void;
  }
  const group = db.transaction((items: readonly Queued[]) => items.map((p) => applyOne(p.actor, p.changes)));
  let queue: Queued[] = [];
  let scheduled = false;
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };
  function applyAlone(p: Queued): void {
    let result: BatchResult;
    try {
      result = batch.immediate(p.actor, p.changes);
    } catch (error) {
      p.reject(error);
      return;
    }
    hooks.afterCommit?.(1);
    p.resolve(result);
  }
  function flush(): void {
    scheduled = false;
    // A group stops at MAX_GROUP_CHANGES so one COMMIT never holds the event loop for long.
    let taken = 0;
    let n = 0;
    while (taken < queue.length && (taken === 0 || n + (queue[taken] as Queued).changes.length <= MAX_GROUP_CHANGES)) {
      n += (queue[taken] as Queued).changes.length;
      taken += 1;
    }
    const items = queue.slice(0, taken);
    queue = queue.slice(taken);
    if (queue.length > 0) schedule();
    if (items.length === 0) return;
    if (items.length === 1) {
      applyAlone(items[0] as Queued);
      return;
    }
    let results: BatchResult[];
    try {
      results = group.immediate(items);
    } catch {
      for (const p of items) applyAlone(p);
      return;
    }
    hooks.afterCommit?.(items.length);
    items.forEach((p, i) => p.resolve(results[i] as BatchResult));
  }

  let closed = false;
  return {
    kind: 'sqlite',
    async createOrg({ name, id }) {
      const org = { id: id ?? randomUUID(), name };
      q.insertOrg.run(org.id, org.name, Date.now());
      return org;
    },
    async createUser(input) {
      const id = input.id ?? randomUUID();
      q.insertUser.run(id, input.orgId, input.email, input.name, input.role, input.passwordHash, Date.now());
      return { id, orgId: input.orgId, email: input.email, name: input.name, role: input.role };
    },
    async findUserByEmail(email): Promise<UserWithPassword | null> {
      const r = q.userByEmail.get(email) as UserRow | undefined;
      return r ? { ...toUser(r), passwordHash: r.password_hash } : null;
    },
    async getUser(id) {
      const r = q.userById.get(id) as UserRow | undefined;
      return r ? toUser(r) : null;
    },
    async listUsers(orgId) {
      return (q.usersOfOrg.all(orgId) as UserRow[]).map(toUser);
    },
    async countUsers() {
      return (q.countUsers.get() as { n: number }).n;
    },
    async createSession(s) {
      q.insertSession.run(s.tokenHash, s.userId, s.expiresAt, s.createdAt);
    },
    async getSession(tokenHash): Promise<SessionRow | null> {
      const r = q.session.get(tokenHash) as { token_hash: string; user_id: string; expires_at: number; created_at: number } | undefined;
      return r ? { tokenHash: r.token_hash, userId: r.user_id, expiresAt: r.expires_at, createdAt: r.created_at } : null;
    },
    async deleteSession(tokenHash) {
      q.deleteSession.run(tokenHash);
    },
    async deleteExpiredSessions(now) {
      return q.deleteExpired.run(now).changes;
    },
    applyBatch(actor, changes) {
      return new Promise<BatchResult>((resolve, reject) => {
        queue.push({ actor, changes, resolve, reject });
        schedule();
      });
    },
    async pull(actor, cursor, limit) {
      const stmt = actor.role === 'worker' ? pullWorker : pullWhole;
      // One read snapshot: the page and the newest sequence number agree (PL1).
      const { rows, latest } = pullSnapshot(() => ({
        rows: stmt.all({ org: actor.orgId, user: actor.userId, cursor, n: limit + 1 }) as (EntityRow & { entity: EntityName })[],
        latest: currentSeq(),
      }));
      const page = rows.slice(0, limit);
      const records: PulledRecord[] = page.map((r) => ({ ...stateOfRow(r.entity, r), ...(r.revoked === 1 ? { revoked: true } : {}) }));
      const more = rows.length > limit;
      const last = page[page.length - 1];
      // PL1: the last page ends at the newest sequence number: nothing this person may see changed up to
      // it, so the next pull (and the live channel, LV3) starts there, however little they see.
      return { records, cursor: more && last ? last.last_seq : Math.max(cursor, last?.last_seq ?? 0, latest), more };
    },
    async pullPriority(actor, from, to, limit) {
      const worker = actor.role === 'worker';
      const args = { org: actor.orgId, user: actor.userId, from, to };
      // Half the room for jobs, so each one can come with its report.
      const jobs = (worker ? priorityJobsWorker : priorityJobsWhole).all({ ...args, n: Math.max(1, Math.floor(limit / 2)) }) as EntityRow[];
      const reports = jobs.length
        ? (priorityReports.all({ ...args, worker: worker ? 1 : 0, ids: JSON.stringify(jobs.map((j) => j.id)) }) as EntityRow[])
        : [];
      return [...jobs.map((r) => stateOfRow('job', r)), ...reports.map((r) => stateOfRow('report', r))].slice(0, limit);
    },
    async latestSeq() {
      return currentSeq();
    },
    async listConflicts(orgId): Promise<ConflictRecord[]> {
      return (q.conflicts.all(orgId) as Record<string, string>[]).map((r) => ({
        id: r.id,
        changeId: r.change_id,
        entity: r.entity,
        entityId: r.entity_id,
        field: r.field,
        serverValue: JSON.parse(r.server_value) as unknown,
        clientValue: JSON.parse(r.client_value) as unknown,
        status: r.status,
      }));
    },
    async listRejections(orgId): Promise<RejectionRecord[]> {
      return (q.rejections.all(orgId) as Record<string, string>[]).map((r) => ({
        changeId: r.change_id,
        userId: r.user_id,
        code: r.code,
        reason: r.reason,
        content: JSON.parse(r.content) as unknown,
      }));
    },
    async close() {
      if (closed) return;
      closed = true;
      while (queue.length > 0) flush(); // what was accepted is applied before the file closes
      db.close();
    },
  };
}
