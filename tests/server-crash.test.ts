/**
 * The server process is killed in the middle of a push transaction and
 * restarted on the same SQLite file (issue: fault suite; PU4, PU3). The batch
 * leaves no trace, the device's resend is applied exactly once, and the
 * database is intact.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PAYLOAD_VERSION, PushResponseSchema } from '../protocol/index.ts';
import { startServerProcess, type ServerProcess } from './support/process.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'outpost-crash-'));
const running: ServerProcess[] = [];
afterAll(async () => {
  for (const p of running) await p.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function signIn(url: string): Promise<{ cookie: string; userId: string }> {
  const res = await fetch(`${url}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'wes@demo.outpost', password: 'demo-worker' }),
  });
  expect(res.status).toBe(200);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const body = (await res.json()) as { user: { id: string } };
  return { cookie, userId: body.user.id };
}

function punches(userId: string, n: number) {
  return Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    deviceId: 'wes-phone',
    entity: 'punch',
    entityId: randomUUID(),
    op: 'create',
    fields: {
      userId,
      kind: i % 2 === 0 ? 'clock_in' : 'clock_out',
      at: 1_764_000_000_000 + i,
      recordedAt: 1_764_000_000_000 + i,
      elapsedMs: i,
      bootId: 'boot-1',
      location: null,
      flags: ['no_location'],
      correctionReason: null,
    },
    hlc: `${String(1_764_000_000_000 + i).padStart(13, '0')}-0000-wes-phone`,
    baseVersion: 0,
    payloadVersion: PAYLOAD_VERSION,
  }));
}

function push(url: string, cookie: string, changes: unknown[]) {
  return fetch(`${url}/api/sync/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ protocolVersion: 1, deviceId: 'wes-phone', changes }),
  });
}

function logRows(ids: readonly string[]): number {
  const sql = new Database(join(dataDir, 'outpost.sqlite'), { readonly: true });
  try {
    const placeholders = ids.map(() => '?').join(',');
    return (sql.prepare(`SELECT COUNT(*) AS n FROM change_log WHERE change_id IN (${placeholders})`).get(...ids) as { n: number }).n;
  } finally {
    sql.close();
  }
}

describe('server killed mid-transaction (fault suite)', () => {
  it('PU4, PU3: a batch cut off by a crash leaves no trace; after a restart the resend is applied exactly once', async () => {
    const crashing = await startServerProcess('tests/support/crash-server.ts', { DATA_DIR: dataDir, CRASH_AFTER_LOG_ROWS: '25' });
    running.push(crashing);
    const { cookie, userId } = await signIn(crashing.url);
    const batch = punches(userId, 50);
    const ids = batch.map((c) => c.id);

    await expect(push(crashing.url, cookie, batch)).rejects.toThrow(); // the connection dies with the process
    expect(await crashing.exited).toBe('SIGKILL');
    expect(logRows(ids)).toBe(0); // PU4: 25 rows were written inside the transaction, none survived

    const server = await startServerProcess('server/main.ts', { DATA_DIR: dataDir });
    running.push(server);
    // The session survived the crash: the device resends with the same cookie.
    const first = await push(server.url, cookie, batch);
    expect(first.status).toBe(200);
    const receipts = PushResponseSchema.parse(await first.json()).receipts;
    expect(receipts.map((r) => r.status)).toEqual(ids.map(() => 'applied'));
    const again = PushResponseSchema.parse(await (await push(server.url, cookie, batch)).json()).receipts;
    expect(again.map((r) => r.status)).toEqual(ids.map(() => 'duplicate'));
    expect(logRows(ids)).toBe(50);

    await server.stop();
    const sql = new Database(join(dataDir, 'outpost.sqlite'), { readonly: true });
    try {
      expect(sql.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      sql.close();
    }
  });
});
