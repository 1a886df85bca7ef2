/**
 * 2. cold start offline from the service worker cache to interactive, with 10,000 local records, on the
 * REAL app (built into node_modules/.cache/outpost-bench/app). "Interactive" = the Today list rendered from IndexedDB (a job card
 * in [data-testid=jobs-today], or the jobs-empty card) and painted, timed from navigation start
 * (performance.now() in the new document). If the app emits performance.mark('outpost:interactive'),
 * that mark is reported too.
 */
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { DEMO, profiled } from '../lib/browser.ts';
import type { Results } from '../lib/results.ts';
import { median, p95 } from '../lib/stats.ts';

export interface ColdStartOptions {
  readonly records: number;
  readonly runs: number;
  readonly warmup: number;
  readonly seedScript: string;
  /** --profile: one more run, not counted, under the CDP profiler (cold-start-page.cpuprofile). */
  readonly profileDir?: string | null;
}

interface Marks {
  shell?: number;
  list?: number;
  listPainted?: number;
  mark?: number;
  fcp?: number;
}

/**
 * Runs at document start in every new page (as a string: tsx's name-keeping helpers must not leak into
 * the browser). A MutationObserver notes when the shell and the Today list appear; a frame later counts
 * as painted. No polling.
 */
const PROBE = `(() => {
  const marks = {};
  window.__benchMarks = marks;
  const LIST = '[data-testid="jobs-today"] [data-testid="job-card"], [data-testid="jobs-empty"]';
  const observer = new MutationObserver(() => {
    if (marks.shell === undefined && document.querySelector('#today-title')) marks.shell = performance.now();
    if (marks.list === undefined && document.querySelector(LIST)) {
      marks.list = performance.now();
      observer.disconnect();
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => { marks.listPainted = performance.now(); };
        channel.port2.postMessage(null);
      });
    }
  });
  observer.observe(document, { childList: true, subtree: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.entryType === 'mark' && e.name === 'outpost:interactive' && marks.mark === undefined) marks.mark = e.startTime;
      if (e.entryType === 'paint' && e.name === 'first-contentful-paint') marks.fcp = e.startTime;
    }
  }).observe({ entryTypes: ['mark', 'paint'] });
})();`;

export async function benchColdStart(browser: Browser, url: string, results: Results, opts: ColdStartOptions): Promise<void> {
  const seedCode = await readFile(opts.seedScript, 'utf8');
  const context = await browser.newContext({ baseURL: url, serviceWorkers: 'allow' });
  try {
    const page = await context.newPage();
    await page.goto('/');
    await page.getByLabel('Email', { exact: true }).fill(DEMO.wes.email);
    await page.getByLabel('Password', { exact: true }).fill(DEMO.wes.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByTestId('signed-in-person').waitFor();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    // Let the first sync finish before filling the database.
    await page.locator('[data-testid="jobs-today"], [data-testid="jobs-empty"], #today-title').first().waitFor();
    await page.waitForTimeout(1_000);
    const userId = await page.evaluate(() => (JSON.parse(localStorage.getItem('outpost.session.v1') ?? '{}') as { user?: { id: string } }).user?.id);
    if (!userId) throw new Error('not signed in');
    const seeded = (await page.evaluate(`${seedCode};\nglobalThis.__outpostBenchSeed(${JSON.stringify(userId)}, ${opts.records})`)) as {
      ms: number;
      jobs: number;
      reports: number;
      punches: number;
    };
    console.log(`    seeded ${seeded.jobs} jobs, ${seeded.reports} reports, ${seeded.punches} punches in ${Math.round(seeded.ms)} ms`);
    await page.close();

    await context.setOffline(true);
    await context.addInitScript({ content: PROBE });
    const list: number[] = [];
    const shell: number[] = [];
    const appMarks: number[] = [];
    const fcp: number[] = [];
    let sawList = true;
    const profiledRun = opts.profileDir ? opts.warmup + opts.runs : -1;
    for (let i = 0; i < opts.warmup + opts.runs + (profiledRun >= 0 ? 1 : 0); i++) {
      const p = await context.newPage();
      // A cold start: the service worker is stopped too, so it starts from scratch and answers from its cache.
      const cdp = await context.newCDPSession(p);
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      // --profile: an extra run's main thread under the CDP profiler, from navigation to the list painted.
      await profiled(p, i === profiledRun ? (opts.profileDir ?? null) : null, 'cold-start-page', async () => {
        await p.goto('/');
        await p
          .waitForFunction(() => (window as unknown as { __benchMarks: Marks }).__benchMarks.listPainted !== undefined, undefined, { timeout: 10_000, polling: 100 })
          .catch(() => undefined);
      });
      let m: Marks;
      try {
        await p.waitForFunction(() => (window as unknown as { __benchMarks: Marks }).__benchMarks.listPainted !== undefined, undefined, { timeout: 10_000, polling: 100 });
        m = await p.evaluate(() => (window as unknown as { __benchMarks: Marks }).__benchMarks);
      } catch {
        sawList = false;
        m = await p.evaluate(() => (window as unknown as { __benchMarks?: Marks }).__benchMarks ?? {});
        if (process.env.BENCH_DEBUG) console.log('    page:', (await p.content()).slice(0, 1500));
      }
      if (i >= opts.warmup && i !== profiledRun) {
        if (m.listPainted !== undefined) list.push(m.listPainted);
        if (process.env.BENCH_MARKS) console.log(await p.evaluate(() => performance.getEntriesByType('mark').map((e) => `${e.name} ${Math.round(e.startTime)}`).join(', ')), JSON.stringify(m));
        if (m.shell !== undefined) shell.push(m.shell);
        if (m.mark !== undefined) appMarks.push(m.mark);
        if (m.fcp !== undefined) fcp.push(m.fcp);
      }
      await cdp.detach();
      await p.close();
    }
    const note = `${opts.records} local records; ${opts.runs} runs after ${opts.warmup} warm-up; service worker stopped before each`;
    if (list.length) {
      results.add({ name: 'cold start offline → Today list painted, median', value: median(list), unit: 'ms', ok: null, note });
      results.add({ name: 'cold start offline → Today list painted, p95', value: p95(list), unit: 'ms', budget: '≤ 400 ms', ok: p95(list) <= 400 });
    } else {
      results.add({ name: 'cold start offline → Today list painted, p95', value: null, unit: 'ms', budget: '≤ 400 ms', ok: null, note: 'the Today list never appeared; see the shell figure' });
    }
    if (!sawList) console.log('    warning: in some runs the Today list did not appear within 10 s');
    results.add({ name: 'cold start offline → shell (Today heading) median', value: median(shell), unit: 'ms', ok: null });
    results.add({ name: 'cold start offline → first contentful paint median', value: median(fcp), unit: 'ms', ok: null });
    if (appMarks.length) results.add({ name: "cold start: app mark 'outpost:interactive' median", value: median(appMarks), unit: 'ms', ok: null });
  } finally {
    await context.close();
  }
}
