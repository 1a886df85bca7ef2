/** Start and stop the real server (bench/server.ts) as a child process with a temp DATA_DIR and a free port. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface BenchServer {
  readonly url: string;
  readonly dataDir: string;
  readonly pid: number;
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Directory of static files to serve (bench page or built app). */
  readonly staticDir?: string;
  /** An existing DATA_DIR (e.g. pre-seeded); a fresh temp dir otherwise. Removed on stop either way. */
  readonly dataDir?: string;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=…']. */
  readonly nodeArgs?: readonly string[];
}

export async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  await once(probe, 'close');
  if (address === null || typeof address === 'string') throw new Error('could not get a free port');
  return address.port;
}

export async function makeDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'outpost-bench-'));
}

export async function startBenchServer(options: StartOptions = {}): Promise<BenchServer> {
  const port = await freePort();
  const dataDir = options.dataDir ?? (await makeDataDir());
  let output = '';
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', 'bench/server.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      NODE_ENV: 'production',
      ...(options.staticDir ? { STATIC_DIR: options.staticDir } : {}),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
    if (output.includes('BENCH_SERVER_READY')) onReady();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = once(child, 'exit');
  const url = `http://127.0.0.1:${port}`;

  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    ready.then(() => 'ready' as const),
    exited.then(() => 'exited' as const),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 60_000))),
  ]);
  clearTimeout(timer);
  if (outcome !== 'ready') {
    child.kill('SIGKILL');
    throw new Error(`bench server ${outcome === 'exited' ? 'exited early' : 'did not start within 60 s'}:\n${output}`);
  }

  let stopped = false;
  return {
    url,
    dataDir,
    pid: child.pid ?? -1,
    output: () => output,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
