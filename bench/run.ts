/**
 * `npm run bench`: Outpost's performance budgets (docs/PERFORMANCE.md), each next to the platform
 * baseline measured in the same run, in real Chromium against the real server on 127.0.0.1.
 *
 *   npm run bench                       everything (about 5 minutes on a 2-core machine)
 *   npm run bench -- --only=tap,ingest  some scenarios: tap, observe, catchup, coldstart, firstsync, ingest
 *   npm run bench -- --quick            smaller sizes, for working on the harness
 *   npm run bench -- --profile          also write server CPU profiles (bench/results/profiles/)
 *
 * Output: a table on stdout and bench/results/latest.json (partial runs: bench/results/partial.json).
 */
import { mkdir } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { launch, CHROMIUM_PATH } from './lib/browser.ts';
import { Results } from './lib/results.ts';
import { seedServer } from './lib/seed-server.ts';
import { makeDataDir, REPO_ROOT, startBenchServer } from './lib/server-process.ts';
import type { BenchServer } from './lib/server-process.ts';
import { benchCatchUp } from './scenarios/catch-up.ts';
import { benchColdStart } from './scenarios/cold-start.ts';
import { benchFirstSync } from './scenarios/first-sync.ts';
import { benchIngest } from './scenarios/ingest.ts';
import { benchObserve } from './scenarios/observe.ts';
import { benchTap } from './scenarios/tap.ts';

const SCENARIOS = ['tap', 'observe', 'catchup', 'coldstart', 'firstsync', 'ingest'] as const;
type Scenario = (typeof SCENARIOS)[number];

const args = process.argv.slice(2);
const onlyArg = args.find((a) => a.startsWith('--only='));
const only = onlyArg ? (onlyArg.slice('--only='.length).split(',') as Scenario[]) : [...SCENARIOS];
for (const s of only) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s}; use ${SCENARIOS.join(', ')}`);
const quick = args.includes('--quick');
const profile = args.includes('--profile');

const OUT = join(REPO_ROOT, 'node_modules/.cache/outpost-bench');
const PAGE_DIR = join(OUT, 'page');
const APP_DIR = join(OUT, 'app');
const SEED_DIR = join(OUT, 'seed');
const RESULTS = join(REPO_ROOT, 'bench/results');
const PROFILES = join(RESULTS, 'profiles');

const sizes = quick
  ? { taps: 60, tapWarmup: 10, observe: 20, observeWarmup: 3, catchUp: 2_000, queue: 300, coldRecords: 10_000, coldRuns: 4, coldWarmup: 1, firstSync: 20_000, ingestWindow: 4_000, ingestBatches: 10 }
  : { taps: 200, tapWarmup: 20, observe: 60, observeWarmup: 5, catchUp: 10_000, queue: 2_000, coldRecords: 10_000, coldRuns: 10, coldWarmup: 2, firstSync: 100_000, ingestWindow: 10_000, ingestBatches: 30 };

async function step<T>(label: string, run: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  console.log(`\n▶ ${label}`);
  try {
    return await run();
  } finally {
    console.log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const results = new Results();
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    chromium: CHROMIUM_PATH,
    loadavgAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    quick,
    scenarios: only,
    date: new Date().toISOString(),
  };
  console.log(`Outpost bench — ${machine.cpus} cores, ${machine.memGiB} GiB, Node ${machine.node}, load ${machine.loadavgAtStart.join(' ')}${quick ? ' (quick)' : ''}`);
  if (profile) await mkdir(PROFILES, { recursive: true });
  const serverArgs = (name: string) => (profile ? ['--cpu-prof', `--cpu-prof-dir=${join(PROFILES, name)}`] : []);

  const needPage = only.some((s) => s === 'tap' || s === 'observe' || s === 'catchup' || s === 'firstsync');
  await step('build the bench page and the app', async () => {
    if (needPage) await build({ configFile: join(REPO_ROOT, 'bench/vite.config.ts'), logLevel: 'warn' });
    if (only.includes('coldstart')) {
      // The real app, built exactly like `npx vite build`, into its own directory (dist/ belongs to other runs).
      await build({ configFile: join(REPO_ROOT, 'vite.config.ts'), root: REPO_ROOT, logLevel: 'warn', build: { outDir: APP_DIR, emptyOutDir: true } });
      await build({
        configFile: false,
        logLevel: 'warn',
        publicDir: false,
        build: {
          outDir: SEED_DIR,
          emptyOutDir: true,
          minify: true,
          target: 'es2022',
          lib: { entry: join(REPO_ROOT, 'bench/page/seed-app.ts'), formats: ['iife'], name: 'OutpostBenchSeed', fileName: () => 'seed-app.js' },
        },
      });
    }
  });

  const browser = await launch();
  const servers: BenchServer[] = [];
  const serve = async (options: Parameters<typeof startBenchServer>[0]) => {
    const s = await startBenchServer(options);
    servers.push(s);
    return s;
  };
  try {
    if (only.includes('tap') || only.includes('observe') || only.includes('catchup')) {
      const server = await serve({ staticDir: PAGE_DIR, nodeArgs: serverArgs('page-server') });
      if (only.includes('tap')) await step('1. tap → commit → painted', () => benchTap(browser, server.url, results, { taps: sizes.taps, warmup: sizes.tapWarmup }));
      if (only.includes('observe')) await step('4. write on A → visible on B', () => benchObserve(browser, server.url, results, { writes: sizes.observe, warmup: sizes.observeWarmup }));
      if (only.includes('catchup')) await step('3. catch-up after reconnect', () => benchCatchUp(browser, server.url, results, { changes: sizes.catchUp, queueChanges: sizes.queue, profileDir: profile ? PROFILES : null }));
      await server.stop();
    }
    if (only.includes('coldstart')) {
      const server = await serve({ staticDir: APP_DIR });
      await step('2. cold start offline', () =>
        benchColdStart(browser, server.url, results, { records: sizes.coldRecords, runs: sizes.coldRuns, warmup: sizes.coldWarmup, seedScript: join(SEED_DIR, 'seed-app.js'), profileDir: profile ? PROFILES : null }),
      );
      await server.stop();
    }
    if (only.includes('firstsync')) {
      const dataDir = await makeDataDir();
      const seeded = await step(`seed the server with ${sizes.firstSync} records (storage layer)`, () => seedServer(dataDir, sizes.firstSync));
      console.log(`    seeded in ${Math.round(seeded.ms)} ms`);
      const server = await serve({ staticDir: PAGE_DIR, dataDir, nodeArgs: serverArgs('firstsync-server') });
      await step('5. first sync to a new device', () => benchFirstSync(browser, server.url, results, { records: sizes.firstSync, pageSize: 500, profileDir: profile ? PROFILES : null }));
      await server.stop();
    }
    if (only.includes('ingest')) {
      const server = await serve({ nodeArgs: serverArgs('ingest-server') });
      await step('6. server ingest, 50 devices', () =>
        benchIngest(server.url, results, { devices: 50, batchSize: 200, warmupBatches: 2, maxBatches: sizes.ingestBatches, windowMs: sizes.ingestWindow }),
      );
      await server.stop();
    }
  } finally {
    await browser.close();
    for (const s of servers) await s.stop();
  }

  const meta = { ...machine, loadavgAtEnd: loadavg().map((l) => Math.round(l * 100) / 100), seconds: Math.round((performance.now() - started) / 1000) };
  const full = only.length === SCENARIOS.length && !quick;
  const file = join(RESULTS, full ? 'latest.json' : 'partial.json');
  await results.write(file, meta);
  console.log(`\n${results.table()}\n`);
  const misses = results.rows.filter((r) => r.ok === false).length;
  console.log(`${results.rows.filter((r) => r.ok === true).length} budgets met, ${misses} missed · ${meta.seconds} s · load ${meta.loadavgAtEnd.join(' ')} · ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
