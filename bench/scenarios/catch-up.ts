/** 3. catch-up after reconnect: 10,000 queued changes through the real engine, next to a workbox Queue replay. */
import type { Browser } from 'playwright-core';
import { benchPage, call, DEMO, profiled } from '../lib/browser.ts';
import type { Results } from '../lib/results.ts';

export interface CatchUpOptions {
  readonly changes: number;
  readonly queueChanges: number;
  readonly profileDir: string | null;
}

export async function benchCatchUp(browser: Browser, url: string, results: Results, opts: CatchUpOptions): Promise<void> {
  const { context, page } = await benchPage(browser, url);
  try {
    await call(page, 'setup', DEMO.wes.email, DEMO.wes.password, { start: false });
    await call(page, 'syncNow');
    await context.setOffline(true);
    const queuedMs = await call(page, 'queueChanges', opts.changes);
    console.log(`    queued ${opts.changes} changes through recordPunch in ${Math.round(queuedMs)} ms (offline, engine stopped)`);
    await context.setOffline(false);
    const r = await profiled(page, opts.profileDir, 'catch-up-page', () => call(page, 'catchUp'));
    if (r.pending > 0 || r.acked < opts.changes) console.log(`    warning: ${r.pending} still pending, ${r.acked} acked`);
    console.log(`    waiting on push requests ${Math.round(r.fetch.push.ms)} ms (${r.fetch.push.n}), pull requests ${Math.round(r.fetch.pull.ms)} ms (${r.fetch.pull.n})`);
    const perChange = r.ackedMs / opts.changes;
    results.add({ name: `catch-up: ${opts.changes} queued changes → all acknowledged`, value: r.ackedMs / 1000, unit: 's', budget: '≤ 0.4 s', ok: r.ackedMs <= 400 });
    results.add({ name: 'catch-up: full drain (push, pull back, reconcile)', value: r.drainMs / 1000, unit: 's', ok: null, note: `pushed ${r.result.pushed}, pulled ${r.result.pulled}` });
    results.add({ name: 'catch-up: longest main-thread task', value: r.longestTaskMs, unit: 'ms', ok: null });

    const q = await call(page, 'queueReplay', opts.queueChanges);
    const queuePer = q.replayMs / opts.queueChanges;
    results.add({ name: `catch-up baseline: workbox Queue replay of ${opts.queueChanges}`, value: q.replayMs / 1000, unit: 's', ok: null, note: `${q.left} left in the queue; filled in ${Math.round(q.fillMs)} ms` });
    results.add({ name: 'catch-up: per change, Outpost', value: perChange, unit: 'ms', ok: null });
    results.add({ name: 'catch-up: per change, workbox Queue replay', value: queuePer, unit: 'ms', ok: null });
    results.add({
      name: 'catch-up: speed-up per change vs workbox Queue',
      value: queuePer / perChange,
      unit: '×',
      budget: '≥ 100 ×',
      ok: queuePer / perChange >= 100,
    });
  } finally {
    await context.close();
  }
}
