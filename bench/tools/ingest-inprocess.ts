/**
 * In-process ingest ceiling and its breakdown (no HTTP): prepareChanges (zod + hash) and
 * storage.applyBatch on a fresh SQLite file, batches of 200 new punches from one worker.
 * Ids are time-ordered (UUIDv7) as devices make them; pass `v4` to compare with random ids.
 * `pushers` > 1 keeps that many pushes in flight at once, as concurrent requests do, so the storage can
 * group-commit them (PU8); 1 applies one push after another.
 * Usage: npx tsx bench/tools/ingest-inprocess.ts [batches] [v7|v4] [pushers]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uuidv7 } from '../../protocol/index.ts';
import { seedDemo } from '../../server/demo.ts';
import { openSqliteStorage } from '../../server/storage/sqlite.ts';
import { prepareChanges } from '../../server/sync/prepare.ts';

const batches = Number(process.argv[2] ?? 300);
const newId = process.argv[3] === 'v4' ? randomUUID : uuidv7;
const pushers = Math.max(1, Number(process.argv[4] ?? 1));
const dir = mkdtempSync(join(tmpdir(), 'outpost-ingest-'));
const storage = await openSqliteStorage(join(dir, 'outpost.sqlite'));
await seedDemo(storage);
const wes = await storage.findUserByEmail('wes@demo.outpost');
if (!wes) throw new Error('no wes');
const actor = { userId: wes.id, orgId: wes.orgId, role: wes.role };
let counter = 0;
const raw = () => {
  counter++;
  const at = Date.now();
  return {
    id: newId(),
    deviceId: 'dev-1',
    entity: 'punch',
    entityId: newId(),
    op: 'create',
    fields: { userId: wes.id, kind: 'clock_in', at, recordedAt: at, elapsedMs: counter, bootId: 'b', location: { lat: 1, lng: 2, accuracyM: 3 }, flags: [], correctionReason: null },
    hlc: `${String(at).padStart(13, '0')}-${String(counter % 10000).padStart(4, '0')}-dev-1`,
    baseVersion: 0,
    payloadVersion: 1,
  };
};
const bodies = Array.from({ length: batches }, () => JSON.stringify(Array.from({ length: 200 }, raw)));
let tParse = 0;
let tPrepare = 0;
let tApply = 0;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
let next = 0;
let applied = 0;
await Promise.all(
  Array.from({ length: pushers }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++] as string;
      const a = performance.now();
      const changes = JSON.parse(body) as ({ id: string } & Record<string, unknown>)[];
      const b = performance.now();
      const prepared = prepareChanges(changes);
      const c = performance.now();
      tParse += b - a;
      tPrepare += c - b;
      const result = await storage.applyBatch(actor, prepared);
      applied += result.receipts.filter((r) => r.status === 'applied').length;
    }
  }),
);
const total = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
tApply = total - tParse - tPrepare;
const n = batches * 200;
if (applied !== n) throw new Error(`only ${applied} of ${n} applied`);
console.log(`${n} changes in ${total.toFixed(0)} ms = ${Math.round(n / (total / 1000))} changes/s (${pushers} pusher${pushers === 1 ? '' : 's'}, ${newId === uuidv7 ? 'v7' : 'v4'} ids)`);
// CPU time per change moves less than wall time when other processes share the cores.
console.log(`CPU ${((cpu.user + cpu.system) / n).toFixed(1)} µs per change (user ${(cpu.user / 1000).toFixed(0)} ms, system ${(cpu.system / 1000).toFixed(0)} ms)`);
console.log(`JSON.parse ${tParse.toFixed(0)} ms · prepare (zod + hash) ${tPrepare.toFixed(0)} ms · applyBatch ${tApply.toFixed(0)} ms`);
await storage.close();
rmSync(dir, { recursive: true, force: true });
