/**
 * The REAL Outpost server (buildApp + SQLite storage + demo seed), started by the benchmark as a child
 * process on 127.0.0.1. Like server/main.ts, but the directory it serves is given by STATIC_DIR (the bench
 * page, or the app built into node_modules/.cache/outpost-bench/app) and it exits when its parent goes away (stdin closes).
 *
 * Env: PORT, DATA_DIR (required), STATIC_DIR (optional).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildApp } from '../server/app.ts';
import { seedDemo } from '../server/demo.ts';
import { openSqliteStorage } from '../server/storage/sqlite.ts';

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 0);
  const dataDir = process.env.DATA_DIR;
  if (!dataDir) throw new Error('DATA_DIR is required');
  mkdirSync(dataDir, { recursive: true });
  const storage = await openSqliteStorage(join(resolve(dataDir), 'outpost.sqlite'));
  await seedDemo(storage);
  const staticDir = process.env.STATIC_DIR ? resolve(process.env.STATIC_DIR) : undefined;
  const app = await buildApp({ storage, logger: false, ...(staticDir ? { staticDir } : {}) });

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    try {
      await app.close();
    } finally {
      await storage.close();
    }
    // process.exit (not a signal death) so that --cpu-prof can write its profile.
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdin.on('close', () => void stop());
  process.stdin.resume();

  const address = await app.listen({ port, host: '127.0.0.1' });
  console.log(`BENCH_SERVER_READY ${address}`);
}

main().catch((error: unknown) => {
  console.error('bench server could not start:', error);
  process.exit(1);
});
