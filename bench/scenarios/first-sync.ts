/** 5. first sync of 100,000 records to a new device, next to plain Dexie bulkPut of the same rows. */
import type { Browser } from 'playwright-core';
import { benchPage, call, DEMO, profiled } from '../lib/browser.ts';
import type { Results } from '../lib/results.ts';

export interface FirstSyncOptions {
  readonly records: number;
  readonly pageSize: number;
  readonly profileDir: string | null;
}

export async function benchFirstSync(browser: Browser, url: string, results: Results, opts: FirstSyncOptions): Promise<void> {
  const { context, page } = await benchPage(browser, url);
  try {
    await call(page, 'setup', DEMO.wes.email, DEMO.wes.password, { start: false, pullLimit: opts.pageSize });
    const r = await profiled(page, opts.profileDir, 'first-sync-page', () => call(page, 'firstSync'));
    const rowsPerSec = r.records / (r.ms / 1000);
    console.log(`    pulled ${r.records} in ${Math.round(r.ms)} ms; visible ${JSON.stringify(r.visible)}; outcome ${r.result.outcome}`);
    console.log(`    waiting on pull requests ${Math.round(r.fetch.pull.ms)} ms (${r.fetch.pull.n}), on the reconcile worker ${Math.round(r.fetch.reconcile.ms)} ms (${r.fetch.reconcile.n})`);
    const b = await call(page, 'bulkPutBaseline', opts.pageSize);
    const plainPerSec = b.rows / (b.ms / 1000);
    results.add({ name: `first sync: ${r.records} records pulled + persisted`, value: r.ms / 1000, unit: 's', ok: null });
    results.add({ name: 'first sync: plain Dexie bulkPut of the same rows', value: b.ms / 1000, unit: 's', ok: null, note: `${b.rows} rows, pages of ${opts.pageSize}, same tables and indexes, strict durability` });
    results.add({
      name: 'first sync: rows/s persisted',
      value: rowsPerSec,
      unit: 'rows/s',
      baseline: plainPerSec,
      budget: '≥ 0.9 × plain bulkPut rows/s',
      ok: rowsPerSec >= 0.9 * plainPerSec,
    });
    results.add({
      name: "first sync: this week's own jobs usable",
      value: Number.isNaN(r.weekUsableMs) ? null : r.weekUsableMs / 1000,
      unit: 's',
      budget: '≤ 1 s',
      ok: Number.isNaN(r.weekUsableMs) ? null : r.weekUsableMs <= 1000,
      note: `${r.weekJobs} jobs this week; the first of them visible at ${(r.firstWeekJobMs / 1000).toFixed(2)} s`,
    });
    results.add({
      name: 'first sync: longest main-thread task',
      value: r.longestTaskMs,
      unit: 'ms',
      budget: '≤ 50 ms',
      ok: r.longestTaskMs <= 50,
      note: r.longTaskCount ? `${r.longTaskCount} long task(s)` : 'no long task (none over 50 ms) observed',
    });
  } finally {
    await context.close();
  }
}
