/** 4. write on one device → visible on another open device (online), next to the raw fetch round trip. */
import type { Browser } from 'playwright-core';
import { benchPage, call, DEMO } from '../lib/browser.ts';
import type { Results } from '../lib/results.ts';
import { median, p95 } from '../lib/stats.ts';

export interface ObserveOptions {
  readonly writes: number;
  readonly warmup: number;
}

export async function benchObserve(browser: Browser, url: string, results: Results, opts: ObserveOptions): Promise<void> {
  const a = await benchPage(browser, url);
  const b = await benchPage(browser, url);
  try {
    await call(a.page, 'setup', DEMO.wes.email, DEMO.wes.password, { start: true, live: true });
    await call(b.page, 'setup', DEMO.maria.email, DEMO.maria.password, { start: true, live: true });
    await call(a.page, 'syncNow');
    await call(b.page, 'syncNow');
    const [jobId] = await call(a.page, 'myJobIds');
    if (!jobId) throw new Error('Wes has no job');
    await call(b.page, 'watchReport', jobId);

    const latencies: number[] = [];
    let missed = 0;
    for (let i = 0; i < opts.warmup + opts.writes; i++) {
      const marker = `observe ${i} ${Math.random().toString(36).slice(2)}`;
      const seen = call(b.page, 'whenSeen', marker, 10_000);
      const committedAt = await call(a.page, 'writeReport', jobId, marker);
      const seenAt = await seen;
      if (seenAt === null) missed++;
      else if (i >= opts.warmup) latencies.push(seenAt - committedAt);
      await new Promise((r) => setTimeout(r, 50));
    }
    const rtt = await call(a.page, 'healthRtt', 60, 10);
    const rttP50 = median(rtt);
    const p50 = median(latencies);
    results.add({ name: 'observe: fetch /api/health round trip p50', value: rttP50, unit: 'ms', ok: null, note: 'platform baseline' });
    results.add({ name: 'observe: write on A → visible on B p50', value: p50, unit: 'ms', baseline: rttP50, budget: '≤ 8 ms and ≤ 3 × fetch p50', ok: p50 <= 8 && p50 <= 3 * rttP50 });
    results.add({ name: 'observe: write on A → visible on B p95', value: p95(latencies), unit: 'ms', budget: '≤ 12 ms', ok: p95(latencies) <= 12, note: missed ? `${missed} write(s) not seen within 10 s` : `${latencies.length} writes` });
  } finally {
    await a.context.close();
    await b.context.close();
  }
}
