import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStorageContract } from './contract.ts';
import { openSqliteStorage } from './sqlite.ts';
import { MIGRATIONS } from './sqlite-schema.ts';
import { makeWorld, prep, punchCreate } from '../testing/fixtures.ts';

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

  it('PU8: pushes made in the same turn share one commit; a failing one sends each to its own', async () => {
    const commits: number[] = [];
    let failOn: string | null = null;
    const s = await openSqliteStorage(':memory:', {
      hooks: {
        afterCommit: (n) => commits.push(n),
        afterLogRow: (id) => {
          if (id === failOn) throw new Error('injected failure');
        },
      },
    });
    try {
      const w = await makeWorld(s);
      const pushes = Array.from({ length: 3 }, () => prep(punchCreate(w.wes.userId), punchCreate(w.wes.userId)));
      const results = await Promise.all(pushes.map((p) => s.applyBatch(w.wes, p)));
      expect(commits).toEqual([3]);
      expect(results.map((r) => r.receipts.map((x) => x.status))).toEqual(pushes.map(() => ['applied', 'applied']));

      commits.length = 0;
      const again = Array.from({ length: 3 }, () => punchCreate(w.wes.userId));
      failOn = (again[1] as { id: string }).id;
      const settled = await Promise.allSettled(again.map((c) => s.applyBatch(w.wes, prep(c))));
      expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(commits).toEqual([1, 1]);
    } finally {
      await s.close();
    }
  });

  it('PU8: a push accepted before close is applied before the file closes', async () => {
    const file = join(dir, 'close-flush.sqlite');
    const s = await openSqliteStorage(file);
    const w = await makeWorld(s);
    const pending = s.applyBatch(w.wes, prep(punchCreate(w.wes.userId)));
    await s.close();
    expect((await pending).receipts.map((r) => r.status)).toEqual(['applied']);
    await expect(s.applyBatch(w.wes, prep(punchCreate(w.wes.userId)))).rejects.toThrow();
  });
});
