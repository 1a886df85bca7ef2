/**
 * The benchmark page. Playwright calls `window.bench.*` (page.evaluate); every function uses the real
 * Outpost modules. Timings are taken here with performance.now() and returned to bench/run.ts.
 */
import Dexie, { liveQuery } from 'dexie';
import { openOutpostDb, recordPunch, saveReportNotes, setChecklistItem } from '../../src/data/index.ts';
import { createReconciler } from '../../src/worker/reconciler.ts';
import { uuidv7 } from '../../protocol/index.ts';
import type { PulledRecord } from '../../protocol/index.ts';
import { createSyncEngine, systemTimers } from '../../src/sync/index.ts';
import type { DrainResult, LocksLike, SyncStatus } from '../../src/sync/index.ts';
import { fetchStats, mark, marks, openDevice, resetFetchStats, setMarking, signIn } from './device.ts';
import type { BenchUser, Device, DeviceOptions } from './device.ts';

// ------------------------------------------------------------------ long tasks

let longest = 0;
let longCount = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    longCount++;
    longest = Math.max(longest, entry.duration);
  }
}).observe({ type: 'longtask', buffered: true });

function resetLongTasks(): void {
  longest = 0;
  longCount = 0;
}
function longTasks(): { longestMs: number; count: number } {
  return { longestMs: longest, count: longCount };
}

// ------------------------------------------------------------------ helpers

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Resolves after the next frame has been produced: rAF, then a task queued from it runs after paint. */
function afterNextPaint(): Promise<number> {
  return new Promise((resolve) => {
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve(performance.now());
      channel.port2.postMessage(null);
    });
  });
}

let user: BenchUser | null = null;
let device: Device | null = null;

function need(): Device {
  if (!device) throw new Error('open the device first');
  return device;
}

// ------------------------------------------------------------------ setup

async function setup(email: string, password: string, options: DeviceOptions & { start?: boolean; live?: boolean } = {}) {
  user = await signIn(email, password);
  device = await openDevice(user, options);
  if (options.start) device.start(options.live ?? false);
  return { userId: user.id, deviceId: device.ctx.deviceId };
}

async function syncNow(): Promise<DrainResult> {
  return need().engine.syncNow('manual');
}

/** The signed-in person's jobs on this device (after a pull). */
async function myJobIds(): Promise<string[]> {
  const d = need();
  return (await d.db.jobs.where('assigneeId').equals(d.ctx.userId).toArray()).map((j) => j.id);
}

// ------------------------------------------------------------------ 1. tap → commit → painted

interface TapSamples {
  commit: number[];
  painted: number[];
  commitToPaint: number[];
}

/**
 * `n` taps (after `warmup`), each a click on a button whose handler calls a real write function; the
 * handler then fires the app's after-write triggers and updates a DOM node. Taps come at random moments
 * (20–70 ms apart), like a person's, so they fall at random points of the frame.
 */
async function tapRun(n: number, warmup: number, jobId: string): Promise<TapSamples> {
  const d = need();
  const button = document.getElementById('tap') as HTMLButtonElement;
  const out = document.getElementById('painted') as HTMLParagraphElement;
  const samples: TapSamples = { commit: [], painted: [], commitToPaint: [] };
  let i = 0;
  let pending: Promise<void> = Promise.resolve();
  const onClick = () => {
    const t0 = performance.now();
    const k = i;
    const write =
      k % 3 === 0
        ? saveReportNotes(d.ctx, jobId, `notes ${k}: pressure checked, flue clear, logbook signed`)
        : k % 3 === 1
          ? setChecklistItem(d.ctx, jobId, `item${k % 12}`, { label: `Check ${k % 12}`, done: k % 2 === 0 })
          : recordPunch(d.ctx, { kind: k % 4 === 2 ? 'break_start' : 'break_end', location: { lat: 51.5, lng: -0.12, accuracyM: 12 } });
    pending = write.then(async () => {
      const t1 = performance.now();
      d.afterWrite();
      out.textContent = `saved ${k}`;
      const t2 = await afterNextPaint();
      if (k >= warmup) {
        samples.commit.push(t1 - t0);
        samples.painted.push(t2 - t0);
        samples.commitToPaint.push(t2 - t1);
      }
    });
  };
  button.addEventListener('click', onClick);
  try {
    for (i = 0; i < warmup + n; i++) {
      button.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      await pending;
      await wait(20 + Math.random() * 50);
    }
  } finally {
    button.removeEventListener('click', onClick);
  }
  return samples;
}

/** The platform baseline: a plain Dexie transaction writing one record and one outbox row (same durability). */
async function dexieBaseline(n: number, warmup: number): Promise<number[]> {
  const db = new Dexie('bench-plain-dexie', { chromeTransactionDurability: 'strict' });
  db.version(1).stores({ records: 'id', outbox: '++seq' });
  await db.open();
  const records = db.table('records');
  const outbox = db.table('outbox');
  const samples: number[] = [];
  for (let i = 0; i < warmup + n; i++) {
    const id = crypto.randomUUID();
    const t0 = performance.now();
    await db.transaction('rw', records, outbox, async () => {
      await records.put({ id, version: 0, jobId: id, notes: `notes ${i}: pressure checked, flue clear, logbook signed`, checklist: {}, measurements: {}, deleted: false });
      await outbox.add({ changeId: crypto.randomUUID(), entity: 'report', entityId: id, op: 'update', fields: { notes: `notes ${i}` }, state: 'pending', attempts: 0, createdAt: Date.now() });
    });
    const t1 = performance.now();
    if (i >= warmup) samples.push(t1 - t0);
    await wait(20 + Math.random() * 50);
  }
  db.close();
  return samples;
}

// ------------------------------------------------------------------ 3. catch-up after reconnect

/** Queue `n` changes through the real write functions (engine not started): new punches. */
async function queueChanges(n: number): Promise<number> {
  const d = need();
  const t0 = performance.now();
  const chunk = 50;
  for (let i = 0; i < n; i += chunk) {
    const writes: Promise<unknown>[] = [];
    for (let k = i; k < Math.min(n, i + chunk); k++) {
      writes.push(recordPunch(d.ctx, { kind: k % 2 === 0 ? 'clock_in' : 'clock_out', location: { lat: 51.5, lng: -0.12, accuracyM: 10 } }));
    }
    await Promise.all(writes);
  }
  return performance.now() - t0;
}

/** One timed IndexedDB transaction of the device's database (only while `catchUp({ spans: true })` runs). */
interface Span {
  readonly kind: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Diagnostic: time every transaction the device's database runs (labelled by mode and tables) so a drain
 * can be split into what each step waits on. Dexie's own implicit transactions (a lone `get`) are not seen.
 */
function traceTransactions(db: Device['db'], spans: Span[]): () => void {
  const original = db.transaction;
  (db as { transaction: unknown }).transaction = function (this: Device['db'], ...args: unknown[]) {
    const mode = String(args[0]);
    const tables = args
      .slice(1, -1)
      .flat()
      .map((t) => (typeof t === 'string' ? t : (t as { name: string }).name))
      .join('+');
    const start = performance.now();
    const result = (original as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    const done = () => spans.push({ kind: `${mode} ${tables}`, start, end: performance.now() });
    result.then(done, done);
    return result;
  };
  return () => {
    (db as { transaction: unknown }).transaction = original;
  };
}

function summarizeSpans(spans: readonly Span[]): Record<string, { n: number; ms: number; max: number }> {
  const out: Record<string, { n: number; ms: number; max: number }> = {};
  for (const s of spans) {
    const e = (out[s.kind] ??= { n: 0, ms: 0, max: 0 });
    e.n++;
    e.ms += s.end - s.start;
    e.max = Math.max(e.max, s.end - s.start);
  }
  for (const e of Object.values(out)) {
    e.ms = Math.round(e.ms);
    e.max = Math.round(e.max);
  }
  return out;
}

/** Drain until every queued change is acknowledged; also the full drain (push, then pull back, reconcile). */
async function catchUp(options: { spans?: boolean } = {}): Promise<{
  ackedMs: number;
  drainMs: number;
  result: DrainResult;
  acked: number;
  pending: number;
  longestTaskMs: number;
  fetch: typeof fetchStats;
  spans?: Record<string, { n: number; ms: number; max: number }>;
}> {
  const d = need();
  const spans: Span[] = [];
  const untrace = options.spans ? traceTransactions(d.db, spans) : () => {};
  resetLongTasks();
  resetFetchStats();
  const t0 = performance.now();
  let ackedAt = Number.NaN;
  let acked = 0;
  let pending = 0;
  const unsubscribe = d.engine.subscribe((status: SyncStatus) => {
    if (!Number.isNaN(ackedAt)) return;
    if (status.phase !== 'idle' && status.counts.pending + status.counts.sending === 0 && status.counts.acked > 0) {
      ackedAt = performance.now();
      acked = status.counts.acked;
    }
  });
  const result = await d.engine.syncNow('online');
  const drainMs = performance.now() - t0;
  unsubscribe();
  const counts = d.engine.status().counts;
  pending = counts.pending + counts.sending;
  if (Number.isNaN(ackedAt)) ackedAt = performance.now();
  untrace();
  return {
    ackedMs: ackedAt - t0,
    drainMs,
    result,
    acked,
    pending,
    longestTaskMs: longTasks().longestMs,
    fetch: structuredClone(fetchStats),
    ...(options.spans ? { spans: summarizeSpans(spans.filter((s) => s.start - t0 <= ackedAt - t0)) } : {}),
  };
}

/**
 * Diagnostic: the device side of a catch-up without the network or the server. A fresh database gets `n`
 * punch-like pending outbox rows (about the size `recordPunch` writes, time-ordered ids as the app makes); the real engine drains it through a
 * fake transport that answers every push with `applied` receipts after `netMs` and every pull with nothing.
 * Then `pullOnly` pull-only drains (nothing pending: what a live poke costs the device before its pull).
 */
async function drainProbe(
  n: number,
  options: { netMs?: number; batchSize?: number; pullOnly?: number } = {},
): Promise<{ ms: number; perChangeMs: number; pushes: number; pullOnlyMs: number[]; spans: Record<string, { n: number; ms: number; max: number }>; pullOnlySpans: Record<string, { n: number; ms: number; max: number }> }> {
  const db = openOutpostDb(`probe-drain-${Math.random()}`, { indexedDB, IDBKeyRange });
  const deviceId = crypto.randomUUID();
  await db.meta.bulkPut([
    { key: 'deviceId', value: deviceId },
    { key: 'hlc', value: `${String(Date.now()).padStart(13, '0')}-0000-${deviceId}` },
  ]);
  const now = Date.now();
  const rows = [];
  for (let i = 0; i < n; i++) {
    rows.push({
      changeId: uuidv7(),
      deviceId,
      entity: 'punch',
      entityId: uuidv7(),
      op: 'create',
      fields: {
        userId: crypto.randomUUID(),
        kind: i % 2 ? 'clock_out' : 'clock_in',
        at: now + i,
        recordedAt: now + i,
        elapsedMs: 1000 + i,
        bootId: crypto.randomUUID(),
        location: { lat: 51.5, lng: -0.12, accuracyM: 10 },
        flags: [],
        correctionReason: null,
      },
      hlc: `${String(now + i).padStart(13, '0')}-0000-${deviceId}`,
      baseVersion: 0,
      payloadVersion: 1,
      state: 'pending',
      attempts: 0,
      lastError: null,
      createdAt: now + i,
      updatedAt: now + i,
      receipt: null,
    });
  }
  for (let i = 0; i < rows.length; i += 1000) await db.outbox.bulkAdd(rows.slice(i, i + 1000) as never);
  let serverSeq = 0;
  let pushes = 0;
  const hlc = () => `${String(Date.now()).padStart(13, '0')}-0000-server`;
  const transport = {
    async push(request: { changes: { id: string }[] }) {
      pushes++;
      if (options.netMs) await wait(options.netMs);
      const receipts = request.changes.map((c) => ({ changeId: c.id, status: 'applied' as const, version: 1, seq: ++serverSeq, superseded: [] }));
      return { kind: 'ok' as const, status: 200, body: { ok: true as const, protocolVersion: 1, receipts, serverHlc: hlc() } };
    },
    async pull(cursor: string | null) {
      if (options.netMs) await wait(options.netMs);
      return { kind: 'ok' as const, status: 200, body: { ok: true as const, protocolVersion: 1, records: [], cursor: cursor ?? '0', more: false, serverHlc: hlc() } };
    },
  };
  const engine = createSyncEngine({
    db,
    transport: transport as never,
    reconciler: createReconciler(db),
    locks: navigator.locks as unknown as LocksLike,
    clock: { now: Date.now },
    timers: systemTimers,
    random: Math.random,
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
  });
  const spans: Span[] = [];
  let untrace = traceTransactions(db, spans);
  const t0 = performance.now();
  await engine.syncNow('online');
  const ms = performance.now() - t0;
  untrace();
  // Acked rows would be pruned once a real pull brings their entities back; this transport pulls nothing.
  await db.outbox.where('state').equals('acked').delete();
  const pullOnlyMs: number[] = [];
  const pullSpans: Span[] = [];
  untrace = traceTransactions(db, pullSpans);
  for (let i = 0; i < (options.pullOnly ?? 0); i++) {
    const t1 = performance.now();
    await engine.syncNow('poke');
    pullOnlyMs.push(performance.now() - t1);
  }
  untrace();
  await engine.stop();
  db.close();
  await Dexie.delete(db.name);
  return { ms, perChangeMs: n ? ms / n : 0, pushes, pullOnlyMs, spans: summarizeSpans(spans), pullOnlySpans: summarizeSpans(pullSpans) };
}

/**
 * Diagnostic: raw IndexedDB costs of the outbox's bulk steps on `n` punch-like rows: rewriting 500 rows
 * in the outbox (4 indexes) vs. in a table with only a primary key, reading 500 by the state index and
 * by primary key. Each figure is the median of `reps` strict transactions.
 */
async function outboxCosts(n: number, reps = 5): Promise<Record<string, number>> {
  const name = `probe-costs-${Math.random()}`;
  const plain = new Dexie(name, { chromeTransactionDurability: 'strict' });
  plain.version(1).stores({ outbox: '++seq, &changeId, state, [entity+entityId]', bare: 'seq', small: 'seq, state' });
  await plain.open();
  const outbox = plain.table('outbox');
  const now = Date.now();
  const rows = Array.from({ length: n }, (_, i) => ({
    changeId: crypto.randomUUID(),
    deviceId: 'd',
    entity: 'punch',
    entityId: crypto.randomUUID(),
    op: 'create',
    fields: { userId: crypto.randomUUID(), kind: 'clock_in', at: now + i, recordedAt: now + i, elapsedMs: i, bootId: crypto.randomUUID(), location: { lat: 51.5, lng: -0.12, accuracyM: 10 }, flags: [], correctionReason: null },
    hlc: `${String(now + i).padStart(13, '0')}-0000-d`,
    baseVersion: 0,
    payloadVersion: 1,
    state: 'pending',
    attempts: 0,
    lastError: null,
    createdAt: now,
    updatedAt: now,
    receipt: null,
  }));
  for (let i = 0; i < n; i += 1000) await outbox.bulkAdd(rows.slice(i, i + 1000));
  const all = (await outbox.toArray()) as { seq: number; state: string }[];
  await plain.table('bare').bulkAdd(all);
  await plain.table('small').bulkAdd(all.map((r) => ({ seq: r.seq, state: r.state })));
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const time = async (fn: (k: number) => Promise<unknown>) => {
    const xs: number[] = [];
    for (let k = 0; k < reps; k++) {
      const t0 = performance.now();
      await fn(k);
      xs.push(performance.now() - t0);
    }
    return Math.round(med(xs) * 10) / 10;
  };
  const slice = (k: number) => all.slice(k * 500, k * 500 + 500);
  const out: Record<string, number> = {};
  out['rewrite 500 in outbox (4 indexes), state changes'] = await time((k) => plain.transaction('rw', outbox, () => outbox.bulkPut(slice(k).map((r) => ({ ...r, state: 'sending' })))));
  out['rewrite 500 in outbox, same state'] = await time((k) => plain.transaction('rw', outbox, () => outbox.bulkPut(slice(k + reps))));
  out['rewrite 500 in a primary-key-only table'] = await time((k) => plain.transaction('rw', plain.table('bare'), () => plain.table('bare').bulkPut(slice(k))));
  out['rewrite 500 small {seq,state} rows'] = await time((k) => plain.transaction('rw', plain.table('small'), () => plain.table('small').bulkPut(slice(k).map((r) => ({ seq: r.seq, state: 'acked' })))));
  out['read 500 by state index'] = await time(() => plain.transaction('r', outbox, () => outbox.where('state').equals('pending').limit(500).toArray()));
  out['read 500 by primary key range'] = await time((k) => plain.transaction('r', outbox, () => outbox.where(':id').between(slice(k + 2 * reps)[0]!.seq, slice(k + 2 * reps).at(-1)!.seq, true, true).toArray()));
  out['bulkGet 500 by primary key'] = await time((k) => plain.transaction('r', outbox, () => outbox.bulkGet(slice(k + 2 * reps).map((r) => r.seq))));
  out['count by state x5'] = await time(() => plain.transaction('r', outbox, () => Promise.all(['pending', 'sending', 'acked', 'refused', 'conflict'].map((st) => outbox.where('state').equals(st).count()))));
  out['empty strict rw tx'] = await time(() => plain.transaction('rw', plain.table('small'), () => plain.table('small').get(1)));
  plain.close();
  await Dexie.delete(name);
  return out;
}

/** The naive baseline: a workbox-background-sync Queue in a service worker, one POST per change. */
async function queueReplay(n: number): Promise<{ fillMs: number; replayMs: number; left: number }> {
  const d = need();
  const registration = await navigator.serviceWorker.register('/queue-sw.js', { type: 'module', scope: '/' });
  const sw = registration.installing ?? registration.waiting ?? registration.active;
  if (!sw) throw new Error('no service worker');
  if (sw.state !== 'activated') {
    await new Promise<void>((resolve) => {
      sw.addEventListener('statechange', () => {
        if (sw.state === 'activated') resolve();
      });
    });
  }
  const ask = (message: unknown) =>
    new Promise<{ ms: number; left: number }>((resolve, reject) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (event: MessageEvent<{ ms: number; left: number; error?: string }>) =>
        event.data.error ? reject(new Error(event.data.error)) : resolve(event.data);
      sw.postMessage(message, [channel.port2]);
    });
  // One valid push per change (a new punch), the way a naive app would queue its POSTs.
  const bodies: string[] = [];
  let hlcMs = Date.now();
  for (let i = 0; i < n; i++) {
    const at = Date.now();
    hlcMs = Math.max(hlcMs + 1, at);
    bodies.push(
      JSON.stringify({
        protocolVersion: 1,
        deviceId: d.ctx.deviceId,
        changes: [
          {
            id: crypto.randomUUID(),
            deviceId: d.ctx.deviceId,
            entity: 'punch',
            entityId: crypto.randomUUID(),
            op: 'create',
            fields: {
              userId: d.ctx.userId,
              kind: 'clock_in',
              at,
              recordedAt: at,
              elapsedMs: Math.floor(performance.now()),
              bootId: 'bench-queue',
              location: { lat: 51.5, lng: -0.12, accuracyM: 10 },
              flags: [],
              correctionReason: null,
            },
            hlc: `${String(hlcMs).padStart(13, '0')}-0000-${d.ctx.deviceId}`,
            baseVersion: 0,
            payloadVersion: 1,
          },
        ],
      }),
    );
  }
  const fill = await ask({ cmd: 'fill', bodies });
  const replay = await ask({ cmd: 'replay' });
  return { fillMs: fill.ms, replayMs: replay.ms, left: replay.left };
}

// ------------------------------------------------------------------ 4. write on one device → visible on another

const seen = new Map<string, number>();
const waiters = new Map<string, (at: number) => void>();

/** Device B: observe one report with liveQuery (no polling) and note when each marker shows up. */
function watchReport(jobId: string): void {
  const d = need();
  liveQuery(() => d.db.reports.get(jobId)).subscribe({
    next: (report) => {
      const at = performance.timeOrigin + performance.now();
      const marker = report?.notes;
      if (!marker || seen.has(marker)) return;
      seen.set(marker, at);
      mark('seen');
      waiters.get(marker)?.(at);
      waiters.delete(marker);
    },
  });
}

function whenSeen(marker: string, timeoutMs: number): Promise<number | null> {
  const at = seen.get(marker);
  if (at !== undefined) return Promise.resolve(at);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiters.delete(marker);
      resolve(null);
    }, timeoutMs);
    waiters.set(marker, (t) => {
      clearTimeout(timer);
      resolve(t);
    });
  });
}

/** Device A: write the report through the real write function; returns the commit time (epoch ms, sub-ms). */
async function writeReport(jobId: string, marker: string): Promise<number> {
  const d = need();
  await saveReportNotes(d.ctx, jobId, marker);
  const at = performance.timeOrigin + performance.now();
  mark('commit');
  d.afterWrite();
  return at;
}

async function healthRtt(n: number, warmup: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < warmup + n; i++) {
    const t0 = performance.now();
    const response = await fetch('/api/health', { cache: 'no-store' });
    await response.text();
    if (i >= warmup) samples.push(performance.now() - t0);
    await wait(10);
  }
  return samples;
}

// ------------------------------------------------------------------ 5. first sync of 100,000 records

/** Monday..Sunday of this week as YYYY-MM-DD (local calendar). */
function thisWeek(): [string, string] {
  const d = new Date();
  const day = (d.getDay() + 6) % 7;
  const monday = new Date(d.getFullYear(), d.getMonth(), d.getDate() - day);
  const sunday = new Date(d.getFullYear(), d.getMonth(), d.getDate() - day + 6);
  const f = (x: Date) => `${x.getFullYear()}-${String(x.getMonth() + 1).padStart(2, '0')}-${String(x.getDate()).padStart(2, '0')}`;
  return [f(monday), f(sunday)];
}

async function firstSync(): Promise<{
  ms: number;
  records: number;
  visible: { jobs: number; reports: number; punches: number; base: number };
  weekJobs: number;
  weekUsableMs: number;
  firstWeekJobMs: number;
  longestTaskMs: number;
  longTaskCount: number;
  result: DrainResult;
  fetch: typeof fetchStats;
}> {
  const d = need();
  resetFetchStats();
  const [from, to] = thisWeek();
  const userId = d.ctx.userId;
  const timeline: { t: number; n: number }[] = [];
  resetLongTasks();
  const t0 = performance.now();
  const sub = liveQuery(() => d.db.jobs.where('scheduledFor').between(from, to, true, true).filter((j) => j.assigneeId === userId).count()).subscribe({
    next: (n) => timeline.push({ t: performance.now() - t0, n }),
  });
  const result = await d.engine.syncNow('start');
  const ms = performance.now() - t0;
  const long = longTasks();
  await wait(200);
  sub.unsubscribe();
  const [jobs, reports, punches, base] = await Promise.all([d.db.jobs.count(), d.db.reports.count(), d.db.punches.count(), d.db.base.count()]);
  const weekJobs = await d.db.jobs.where('scheduledFor').between(from, to, true, true).filter((j) => j.assigneeId === userId).count();
  const usable = timeline.find((p) => p.n >= weekJobs && weekJobs > 0);
  const first = timeline.find((p) => p.n > 0);
  return {
    ms,
    records: result.pulled,
    visible: { jobs, reports, punches, base },
    weekJobs,
    weekUsableMs: usable?.t ?? Number.NaN,
    firstWeekJobMs: first?.t ?? Number.NaN,
    longestTaskMs: long.longestMs,
    longTaskCount: long.count,
    result,
    fetch: structuredClone(fetchStats),
  };
}

/** Platform baseline: plain Dexie bulkPut of the same visible rows, same tables and indexes, same page size. */
async function bulkPutBaseline(pageSize: number): Promise<{ ms: number; rows: number; longestTaskMs: number }> {
  const d = need();
  const [jobs, reports, punches] = await Promise.all([d.db.jobs.toArray(), d.db.reports.toArray(), d.db.punches.toArray()]);
  // Interleave the tables the way the pull delivers them (by sequence), page by page.
  const plain = new Dexie('bench-plain-bulkput', { chromeTransactionDurability: 'strict' });
  plain.version(1).stores({
    jobs: 'id, assigneeId, scheduledFor, status',
    reports: 'id, jobId',
    punches: 'id, userId, at, [userId+at]',
  });
  await plain.open();
  const tables = [
    [plain.table('jobs'), jobs],
    [plain.table('reports'), reports],
    [plain.table('punches'), punches],
  ] as const;
  resetLongTasks();
  const t0 = performance.now();
  for (const [table, rows] of tables) {
    for (let i = 0; i < rows.length; i += pageSize) {
      await table.bulkPut(rows.slice(i, i + pageSize));
    }
  }
  const ms = performance.now() - t0;
  const long = longTasks();
  plain.close();
  return { ms, rows: jobs.length + reports.length + punches.length, longestTaskMs: long.longestMs };
}

/** Diagnostic: the reconciler on the main thread, page by page, on a fresh database, with step timings. */
async function reconcileProbe(pages: number, size: number): Promise<{ applyMs: number[]; plainMs: number[] }> {
  const db = openOutpostDb(`probe-${Math.random()}`, { indexedDB, IDBKeyRange });
  const plain = openOutpostDb(`probe-plain-${Math.random()}`, { indexedDB, IDBKeyRange });
  const reconciler = createReconciler(db);
  const applyMs: number[] = [];
  const plainMs: number[] = [];
  const hlc = `${String(Date.now()).padStart(13, '0')}-0000-server`;
  for (let p = 0; p < pages; p++) {
    const records: PulledRecord[] = [];
    for (let i = 0; i < size; i++) {
      const fields = { title: `Job ${i}`, site: 'x', details: 'y', scheduledFor: '2026-01-01', assigneeId: 'u1', status: 'done' };
      records.push({ entity: 'job', entityId: crypto.randomUUID(), version: 1, deleted: false, fields, clocks: Object.fromEntries(Object.keys(fields).map((f) => [f, { hlc, version: 1, device: 'd' }])) });
    }
    let t0 = performance.now();
    await reconciler.applyPulled(records, String((p + 1) * size), hlc);
    applyMs.push(performance.now() - t0);
    t0 = performance.now();
    await plain.transaction('rw', plain.base, plain.jobs, async () => {
      await plain.base.bulkGet(records.map((r) => [r.entity, r.entityId] as [string, string]) as never);
      await plain.base.bulkPut(records.map((r) => ({ ...r })) as never);
      await plain.jobs.bulkPut(records.map((r) => ({ id: r.entityId, version: 1, deleted: false, ...r.fields })) as never);
    });
    plainMs.push(performance.now() - t0);
  }
  db.close();
  plain.close();
  return { applyMs, plainMs };
}

const api = {
  reconcileProbe,
  drainProbe,
  outboxCosts,
  /** Timeline marks since the last call (and clear them). */
  takeMarks: () => marks.splice(0, marks.length),
  setMarking,
  setup,
  syncNow,
  myJobIds,
  tapRun,
  dexieBaseline,
  queueChanges,
  catchUp,
  queueReplay,
  watchReport,
  whenSeen,
  writeReport,
  healthRtt,
  firstSync,
  bulkPutBaseline,
  longTasks,
  resetLongTasks,
  status: () => need().engine.status(),
  stopEngine: () => need().engine.stop(),
  startEngine: (live: boolean) => need().start(live),
};
export type BenchApi = typeof api;
(window as unknown as { bench: BenchApi }).bench = api;
document.title = 'Outpost bench ready';
