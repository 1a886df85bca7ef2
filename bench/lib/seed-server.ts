/**
 * Seed a server database with `n` records visible to Wes, through the real storage layer
 * (openSqliteStorage + applyBatch, as Maria the manager, in batches of 1,000): jobs assigned to Wes,
 * the reports of those jobs and Wes's punches, in chronological order — so this week's jobs are the
 * newest and come last in the pull order (PL1 orders by sequence).
 */
import { join } from 'node:path';
import { PAYLOAD_VERSION, uuidv7 } from '../../protocol/index.ts';
import { seedDemo } from '../../server/demo.ts';
import { openSqliteStorage } from '../../server/storage/sqlite.ts';
import { prepareChanges } from '../../server/sync/prepare.ts';

function localDate(base: Date, days: number): string {
  const d = new Date(base.getFullYear(), base.getMonth(), base.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export async function seedServer(dataDir: string, n: number): Promise<{ ms: number; weekJobs: number }> {
  const t0 = performance.now();
  const storage = await openSqliteStorage(join(dataDir, 'outpost.sqlite'));
  try {
    await seedDemo(storage);
    const wes = await storage.findUserByEmail('wes@demo.outpost');
    const maria = await storage.findUserByEmail('maria@demo.outpost');
    if (!wes || !maria) throw new Error('demo users missing');
    const actor = { userId: maria.id, orgId: maria.orgId, role: maria.role };
    const today = new Date();
    const monday = (today.getDay() + 6) % 7;
    // ~40 % jobs, 30 % reports, 30 % punches; 60 jobs this week, the rest spread over the past 2 years.
    const jobs = Math.floor(n * 0.4);
    const weekJobs = Math.min(60, jobs);
    let hlcMs = Date.now() - 10_000_000;
    let counter = 0;
    const hlc = () => {
      counter = (counter + 1) % 10_000;
      if (counter === 0) hlcMs++;
      return `${String(hlcMs).padStart(13, '0')}-${String(counter).padStart(4, '0')}-seed`;
    };
    const change = (entity: string, entityId: string, fields: Record<string, unknown>) => ({
      id: uuidv7(),
      deviceId: 'bench-seed',
      entity,
      entityId,
      op: 'create',
      fields,
      hlc: hlc(),
      baseVersion: 0,
      payloadVersion: PAYLOAD_VERSION,
    });
    const raws: ReturnType<typeof change>[] = [];
    let made = 0;
    let jobNo = 0;
    while (made < n) {
      const isWeek = jobNo >= jobs - weekJobs;
      const day = isWeek ? -monday + ((jobNo - (jobs - weekJobs)) % 7) : -730 + Math.floor((jobNo / Math.max(1, jobs - weekJobs)) * 720);
      const jobId = uuidv7();
      if (jobNo < jobs) {
        raws.push(
          change('job', jobId, {
            title: `Job ${jobNo}: boiler service`,
            site: `${jobNo % 500} Harbour Road`,
            details: 'Annual service; check pressure and flue. Customer home after 10:00.',
            scheduledFor: localDate(today, day),
            assigneeId: wes.id,
            status: isWeek ? 'scheduled' : 'done',
          }),
        );
        made++;
        jobNo++;
        if (made < n && made % 10 < 7 && !isWeek) {
          raws.push(change('report', jobId, { jobId, notes: `Pressure 1.5 bar, flue clear, logbook signed (${jobNo}).`, 'checklist.pressure': { label: 'Pressure', done: true } }));
          made++;
        }
      }
      if (made < n && (jobNo >= jobs || made % 4 === 0)) {
        const at = Date.now() - (n - made) * 60_000;
        raws.push(
          change('punch', uuidv7(), {
            userId: wes.id,
            kind: made % 2 === 0 ? 'clock_in' : 'clock_out',
            at,
            recordedAt: at,
            elapsedMs: made,
            bootId: 'seed-boot',
            location: { lat: 51.5, lng: -0.12, accuracyM: 10 },
            flags: [],
            correctionReason: null,
          }),
        );
        made++;
      }
    }
    // Jobs of this week last (newest): move them to the end, after their history.
    const isWeekJob = (r: ReturnType<typeof change>) => r.entity === 'job' && r.fields.status === 'scheduled';
    const ordered = [...raws.filter((r) => !isWeekJob(r)), ...raws.filter(isWeekJob)];
    for (let i = 0; i < ordered.length; i += 1000) {
      const result = await storage.applyBatch(actor, prepareChanges(ordered.slice(i, i + 1000)));
      const bad = result.receipts.find((r) => r.status !== 'applied');
      if (bad) throw new Error(`seed change not applied: ${JSON.stringify(bad)}`);
    }
    return { ms: performance.now() - t0, weekJobs };
  } finally {
    await storage.close();
  }
}
