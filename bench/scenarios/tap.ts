/** 1. tap → change committed (data + outbox) → painted: online, offline and flaky, next to plain Dexie. */
import type { Browser } from 'playwright-core';
import { benchPage, call, DEMO } from '../lib/browser.ts';
import type { Results } from '../lib/results.ts';
import { median, p95 } from '../lib/stats.ts';

export interface TapOptions {
  readonly taps: number;
  readonly warmup: number;
}

export async function benchTap(browser: Browser, url: string, results: Results, opts: TapOptions): Promise<void> {
  const { context, page } = await benchPage(browser, url);
  try {
    await call(page, 'setup', DEMO.wes.email, DEMO.wes.password, { start: true, live: true });
    await call(page, 'syncNow');
    const [jobId] = await call(page, 'myJobIds');
    if (!jobId) throw new Error('Wes has no job on the bench device');

    const baseline = await call(page, 'dexieBaseline', opts.taps, opts.warmup);
    const baseP95 = p95(baseline);
    results.add({ name: 'tap: plain Dexie tx (record + outbox row) p50', value: median(baseline), unit: 'ms', ok: null, note: 'platform baseline, strict durability like the app' });
    results.add({ name: 'tap: plain Dexie tx (record + outbox row) p95', value: baseP95, unit: 'ms', ok: null });

    const modes = ['online', 'offline', 'flaky'] as const;
    for (const mode of modes) {
      if (mode === 'offline') await context.setOffline(true);
      if (mode === 'flaky') {
        // A flaky network: 30 % of sync requests fail, the rest take 20–400 ms.
        await context.route('**/api/**', async (route) => {
          if (Math.random() < 0.3) return route.abort('failed');
          await new Promise((r) => setTimeout(r, 20 + Math.random() * 380));
          return route.continue();
        });
      }
      await call(page, 'resetLongTasks');
      const s = await call(page, 'tapRun', opts.taps, opts.warmup, jobId);
      const long = await call(page, 'longTasks');
      const commitP95 = p95(s.commit);
      results.add({ name: `tap ${mode}: commit p50`, value: median(s.commit), unit: 'ms', baseline: median(baseline), ok: null });
      results.add({
        name: `tap ${mode}: commit p95`,
        value: commitP95,
        unit: 'ms',
        baseline: baseP95,
        budget: '≤ 1.3 × plain Dexie p95',
        ok: commitP95 <= 1.3 * baseP95,
      });
      results.add({ name: `tap ${mode}: tap → painted p50`, value: median(s.painted), unit: 'ms', ok: null });
      results.add({ name: `tap ${mode}: tap → painted p95`, value: p95(s.painted), unit: 'ms', budget: '≤ 16 ms', ok: p95(s.painted) <= 16 });
      results.add({ name: `tap ${mode}: commit → painted p95`, value: p95(s.commitToPaint), unit: 'ms', ok: null, note: 'wait for the next frame after the commit' });
      results.add({
        name: `tap ${mode}: longest main-thread task`,
        value: long.longestMs,
        unit: 'ms',
        budget: '≤ 50 ms',
        ok: long.longestMs <= 50,
        note: long.count === 0 ? 'no long task (none over 50 ms) observed' : `${long.count} long task(s)`,
      });
      if (mode === 'offline') await context.setOffline(false);
      if (mode === 'flaky') await context.unroute('**/api/**');
    }
  } finally {
    await context.close();
  }
}
