/**
 * The real server (app + SQLite storage on DATA_DIR) with one fault injected:
 * the process kills itself with SIGKILL inside a push transaction, after
 * CRASH_AFTER_LOG_ROWS change-log rows were written and before the commit.
 * Used by tests/server-crash.test.ts only.
 */
import { join } from 'node:path';
import { buildApp } from '../../server/app.ts';
import { seedDemo } from '../../server/demo.ts';
import { openSqliteStorage } from '../../server/storage/sqlite.ts';

const dataDir = process.env.DATA_DIR;
const crashAfter = Number(process.env.CRASH_AFTER_LOG_ROWS);
if (!dataDir || !Number.isInteger(crashAfter)) throw new Error('DATA_DIR and CRASH_AFTER_LOG_ROWS are required');

let rows = 0;
const storage = await openSqliteStorage(join(dataDir, 'outpost.sqlite'), {
  hooks: {
    afterLogRow: () => {
      rows += 1;
      if (rows === crashAfter) process.kill(process.pid, 'SIGKILL');
    },
  },
});
await seedDemo(storage);
const app = await buildApp({ storage });
const address = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`Outpost listening on ${address}`);
