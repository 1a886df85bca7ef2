import type Database from 'better-sqlite3';

/**
 * Numbered migrations, applied in order inside one transaction each and
 * recorded in `schema_migrations`. Never edit a released migration; add one.
 */
export const MIGRATIONS: readonly { readonly version: number; readonly sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE orgs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs(id),
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('worker', 'manager', 'admin')),
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX users_org ON users(org_id);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);

-- Entity tables: ids are made by devices, so they are unique per organisation only;
-- another organisation's rows are never loaded, which makes them look missing (PL2, SV4).
CREATE TABLE jobs (
  org_id TEXT NOT NULL REFERENCES orgs(id),
  id TEXT NOT NULL,
  assignee_id TEXT,
  scheduled_for TEXT,
  status TEXT,
  version INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  fields TEXT NOT NULL,
  clocks TEXT NOT NULL,
  last_seq INTEGER NOT NULL,
  PRIMARY KEY (org_id, id)
);
CREATE INDEX jobs_org_seq ON jobs(org_id, last_seq);
CREATE INDEX jobs_assignee_seq ON jobs(org_id, assignee_id, last_seq);

CREATE TABLE reports (
  org_id TEXT NOT NULL REFERENCES orgs(id),
  id TEXT NOT NULL,
  job_id TEXT NOT NULL,
  scope_user_id TEXT,
  version INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  fields TEXT NOT NULL,
  clocks TEXT NOT NULL,
  last_seq INTEGER NOT NULL,
  PRIMARY KEY (org_id, id)
);
CREATE INDEX reports_org_seq ON reports(org_id, last_seq);
CREATE INDEX reports_scope_seq ON reports(org_id, scope_user_id, last_seq);

CREATE TABLE punches (
  org_id TEXT NOT NULL REFERENCES orgs(id),
  id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  at INTEGER,
  kind TEXT,
  version INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  fields TEXT NOT NULL,
  clocks TEXT NOT NULL,
  last_seq INTEGER NOT NULL,
  PRIMARY KEY (org_id, id)
);
CREATE INDEX punches_org_seq ON punches(org_id, last_seq);
CREATE INDEX punches_user_seq ON punches(org_id, user_id, last_seq);

-- Append-only history of applied and conflicting changes (CF7).
CREATE TABLE change_log (
  seq INTEGER PRIMARY KEY,
  change_id TEXT NOT NULL,
  org_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'conflict')),
  change TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX change_log_entity ON change_log(org_id, entity, entity_id, seq);

-- The highest sequence number handed out (log rows and report moves share it).
CREATE TABLE seq_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_seq INTEGER NOT NULL
);
INSERT INTO seq_state (id, last_seq) VALUES (1, 0);

-- PU3: one answer per change id.
CREATE TABLE receipts (
  change_id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  receipt TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE conflicts (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL,
  change_id TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  field TEXT NOT NULL,
  server_value TEXT NOT NULL,
  client_value TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open',
  created_at INTEGER NOT NULL
);
CREATE INDEX conflicts_org ON conflicts(org_id, status, created_at);

CREATE TABLE rejected_changes (
  id INTEGER PRIMARY KEY,
  change_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  org_id TEXT NOT NULL,
  code TEXT NOT NULL,
  reason TEXT NOT NULL,
  content TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX rejected_changes_org ON rejected_changes(org_id, id);
CREATE INDEX rejected_changes_change ON rejected_changes(change_id);
`,
  },
  {
    version: 2,
    sql: `
-- PL4: entities a person may no longer see (a job reassigned away from them, with its report).
CREATE TABLE revocations (
  org_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (org_id, user_id, entity, entity_id)
) WITHOUT ROWID;
CREATE INDEX revocations_pull ON revocations(org_id, user_id, seq);
`,
  },
  {
    version: 3,
    sql: `
-- PL5: a new device's first jobs by scheduled day (a worker's own, or the organisation's).
CREATE INDEX jobs_assignee_day ON jobs(org_id, assignee_id, scheduled_for);
CREATE INDEX jobs_org_day ON jobs(org_id, scheduled_for);
`,
  },
];

export function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, Date.now());
    }).immediate();
  }
}
