/**
 * Injected into the real app's page (scenario 2) as one IIFE script: fills the app's own database with
 * `n` records of the signed-in worker — as a pull would have left them — through the real reconciler
 * (base + visible tables, one transaction per page of 1,000).
 */
import { openOutpostDb } from '../../src/data/index.ts';
import { createReconciler } from '../../src/worker/reconciler.ts';
import type { PulledRecord } from '../../protocol/index.ts';

function localDate(days: number): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function records(userId: string, n: number): PulledRecord[] {
  const out: PulledRecord[] = [];
  const clock = (k: number) => ({ hlc: `${String(Date.now() - 86_400_000).padStart(13, '0')}-${String(k % 10_000).padStart(4, '0')}-seed`, version: 1, device: 'seed' });
  const jobs = Math.floor(n * 0.3);
  const reports = Math.floor(n * 0.3);
  const punches = n - jobs - reports;
  const jobIds: string[] = [];
  for (let i = 0; i < jobs; i++) {
    const id = crypto.randomUUID();
    jobIds.push(id);
    // Most are history; the last few are today's and tomorrow's.
    const day = i >= jobs - 8 ? (i % 2) : -1 - Math.floor((jobs - i) / 10);
    const fields = {
      title: `Job ${i}: boiler service and flue check`,
      site: `${i} Harbour Road, Unit ${i % 40}`,
      details: 'Annual service; check pressure and flue. Customer home after 10:00. Bring the long ladder.',
      scheduledFor: localDate(day),
      assigneeId: userId,
      status: day < 0 ? 'done' : 'scheduled',
    };
    out.push({ entity: 'job', entityId: id, version: 1, deleted: false, fields, clocks: Object.fromEntries(Object.keys(fields).map((f) => [f, clock(i)])) });
  }
  for (let i = 0; i < reports; i++) {
    const id = jobIds[i % jobIds.length] as string;
    const fields = { jobId: id, notes: `Report ${i}: pressure 1.5 bar, flue clear, logbook signed.`, 'checklist.a': { label: 'Pressure', done: true } };
    out.push({ entity: 'report', entityId: id, version: 1, deleted: false, fields, clocks: Object.fromEntries(Object.keys(fields).map((f) => [f, clock(i)])) });
  }
  for (let i = 0; i < punches; i++) {
    const at = Date.now() - (punches - i) * 3_600_000;
    const fields = {
      userId,
      kind: i % 2 === 0 ? 'clock_in' : 'clock_out',
      at,
      recordedAt: at,
      elapsedMs: 1000 + i,
      bootId: 'seed-boot',
      location: { lat: 51.5, lng: -0.12, accuracyM: 10 },
      flags: [],
      correctionReason: null,
    };
    out.push({ entity: 'punch', entityId: crypto.randomUUID(), version: 1, deleted: false, fields, clocks: Object.fromEntries(Object.keys(fields).map((f) => [f, clock(i)])) });
  }
  return out;
}

async function seed(userId: string, n: number): Promise<{ ms: number; jobs: number; reports: number; punches: number }> {
  const db = openOutpostDb();
  const reconciler = createReconciler(db);
  const all = records(userId, n);
  const t0 = performance.now();
  const serverHlc = `${String(Date.now()).padStart(13, '0')}-0000-server`;
  for (let i = 0; i < all.length; i += 1000) {
    await reconciler.applyPulled(all.slice(i, i + 1000), String(i + 1000), serverHlc);
  }
  const result = { ms: performance.now() - t0, jobs: await db.jobs.count(), reports: await db.reports.count(), punches: await db.punches.count() };
  db.close();
  return result;
}

(globalThis as unknown as { __outpostBenchSeed: typeof seed }).__outpostBenchSeed = seed;
