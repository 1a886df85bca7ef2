import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStorageContract } from './contract.ts';
import { openSqliteStorage } from './sqlite.ts';
import { MIGRATIONS } from './sqlite-schema.ts';

const dir = join(tmpdir(), `outpost-sqlite-${randomUUID()}`);
beforeAll(() => mkdirSync(dir, { recursive: true }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runStorageContract('sqlite file', (options) => openSqliteStorage(join(dir, `${randomUUID()}.sqlite`), options));
runStorageContract('sqlite :memory:', (options) => openSqliteStorage(':memory:', options));

describe('sqlite specifics', () => {
  it('uses WAL and records each migration once across reopenings', async () => {
    const file = join(dir, 'pragmas.sqlite');
    await (await openSqliteStorage(file)).close();
    await (await openSqliteStorage(file)).close();
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
      expect(versions.map((v) => v.version)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      db.close();
    }
  });

  it('keeps data across reopening a file', async () => {
    const file = join(dir, 'reopen.sqlite');
    const a = await openSqliteStorage(file);
    const org = await a.createOrg({ name: 'Kept' });
    await a.close();
    const b = await openSqliteStorage(file);
    try {
      expect(await b.listUsers(org.id)).toEqual([]);
      await expect(b.createOrg({ name: 'Dup', id: org.id })).rejects.toThrow();
    } finally {
      await b.close();
    }
  });
});
