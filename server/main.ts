import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildApp } from './app.ts';
import { seedDemo } from './demo.ts';
import { openSqliteStorage } from './storage/sqlite.ts';

/** `npm run serve`: the sync API and, when built, the app, from one process. */
async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 8080);
  const host = process.env.HOST ?? '127.0.0.1';
  const dataDir = resolve(process.env.DATA_DIR ?? './data');
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl && /^postgres(ql)?:/i.test(databaseUrl)) {
    console.error('DATABASE_URL points to PostgreSQL, but PostgreSQL storage is not available in this version of Outpost.');
    console.error('Unset DATABASE_URL to use the built-in SQLite storage under DATA_DIR.');
    process.exit(1);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be a port number, not "${process.env.PORT}".`);
    process.exit(1);
  }

  mkdirSync(dataDir, { recursive: true });
  const storage = await openSqliteStorage(join(dataDir, 'outpost.sqlite'));
  const seeded = await seedDemo(storage);
  if (seeded) {
    console.log(`\nCreated the demo organisation "${seeded.orgName}". Sign in with:`);
    for (const s of seeded.signIns) console.log(`  ${s.role.padEnd(8)} ${s.name.padEnd(6)} ${s.email.padEnd(22)} password: ${s.password}`);
    console.log('');
  }

  const dist = resolve('dist');
  const staticDir = existsSync(join(dist, 'index.html')) ? dist : undefined;
  if (!staticDir) console.log('No built app in dist/ (run `npm run build`); serving the sync API only.');
  const app = await buildApp({ storage, logger: { level: process.env.LOG_LEVEL ?? 'info' }, processMetrics: true, ...(staticDir ? { staticDir } : {}) });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    try {
      await app.close();
    } finally {
      await storage.close();
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const address = await app.listen({ port, host }); // PORT=0 picks a free port: print the real one
  console.log(`Outpost listening on ${address}`);
}

main().catch((error: unknown) => {
  console.error('Outpost could not start:', error);
  process.exit(1);
});
