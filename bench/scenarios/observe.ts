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
    await Promise.all([call(a.page, 'setMarking', true), call(b.page, 'setMarking', true)]);

    const latencies: number[] = [];
    /** Per write: where the time went (A's commit → push leaves → push answered; B's message → seen, or → pull → seen). */
    const steps: Record<string, number[]> = {};
    const step = (name: string, ms: number | undefined) => {
      if (ms !== undefined && Number.isFinite(ms)) (steps[name] ??= []).push(ms);
    };
    let missed = 0;
    for (let i = 0; i < opts.warmup + opts.writes; i++) {
      const marker = `observe ${i} ${Math.random().toString(36).slice(2)}`;
      const seen = call(b.page, 'whenSeen', marker, 10_000);
      const committedAt = await call(a.page, 'writeReport', jobId, marker);
      const seenAt = await seen;
      if (seenAt === null) missed++;
      else if (i >= opts.warmup) latencies.push(seenAt - committedAt);
      const [ma, mb] = await Promise.all([call(a.page, 'takeMarks'), call(b.page, 'takeMarks')]);
      if (process.env.OBSERVE_TIMELINE && i === opts.warmup + 10) {
        const all = [...ma.map((m) => ({ ...m, who: 'A' })), ...mb.map((m) => ({ ...m, who: 'B' }))].sort((x, y) => x.at - y.at);
        for (const m of all) console.log(`      ${(m.at - committedAt).toFixed(1).padStart(7)} ms  ${m.who} ${m.what}`);
      }
      if (seenAt !== null && i >= opts.warmup) {
        const first = (ms: { at: number; what: string }[], what: string, after: number) => ms.find((m) => m.what === what && m.at >= after)?.at;
        const pushStart = first(ma, 'push start', committedAt);
        const pushEnd = pushStart === undefined ? undefined : first(ma, 'push end', pushStart);
        const poke = pushStart === undefined ? undefined : first(mb, 'poke', pushStart);
        const pullStart = poke === undefined ? undefined : first(mb, 'pull start', poke);
        const pullEnd = pullStart === undefined ? undefined : first(mb, 'pull end', pullStart);
        step('A: commit → push leaves', pushStart === undefined ? undefined : pushStart - committedAt);
        step('A: push request', pushEnd === undefined || pushStart === undefined ? undefined : pushEnd - pushStart);
        const pulled = pullEnd !== undefined && pullEnd <= seenAt;
        step('push leaves → message on B', poke === undefined || pushStart === undefined ? undefined : poke - pushStart);
        // LV3: B applies the records the message brought; a pull only when they did not follow on.
        step('B: message → seen, no pull', pulled || poke === undefined ? undefined : seenAt - poke);
        step('B: message → pull leaves', pulled && pullStart !== undefined && poke !== undefined ? pullStart - poke : undefined);
        step('B: pull request', pulled && pullStart !== undefined ? (pullEnd as number) - pullStart : undefined);
        step('B: pull answered → seen', pulled ? seenAt - (pullEnd as number) : undefined);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const [name, xs] of Object.entries(steps)) console.log(`    ${name}: p50 ${median(xs).toFixed(1)} ms, p95 ${p95(xs).toFixed(1)} ms (${xs.length})`);
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
