/**
 * The bench page's device: the same wiring as the app's (src/state/device.svelte.ts) — THE database, a
 * DataContext, the reconcile worker over Comlink, the sync engine with the fetch transport, Web Locks and
 * live-channel pokes — built only from the real src/data, src/sync and src/worker modules.
 */
import { wrap } from 'comlink';
import { uuidv7 } from '../../protocol/index.ts';
import { openDataContext, openOutpostDb } from '../../src/data/index.ts';
import type { DataContext, OutpostDb } from '../../src/data/index.ts';
import { createHttpTransport, createSyncEngine, systemTimers } from '../../src/sync/index.ts';
import type { LocksLike, ReconcilerLike, SyncEngine } from '../../src/sync/index.ts';
import { LIVE_URL, createBrowserTriggers } from '../../src/state/triggers.ts';
import type { BrowserTriggers } from '../../src/state/triggers.ts';
import type { ReconcilerApi } from '../../src/worker/api.ts';

export interface BenchUser {
  id: string;
  orgId: string;
  name: string;
  role: string;
}

export interface Device {
  readonly db: OutpostDb;
  readonly ctx: DataContext;
  readonly engine: SyncEngine;
  readonly worker: Worker;
  /** Fire the `write` trigger (what the app does after each committed write). */
  afterWrite(): void;
  /** Start the engine with the live channel and write triggers (the app's `engine.start(triggers)`). */
  start(live: boolean): void;
  close(): Promise<void>;
}

/** Time spent waiting for sync requests (push / pull), to split a drain into network+server and device work. */
export const fetchStats = { push: { n: 0, ms: 0 }, pull: { n: 0, ms: 0 }, reconcile: { n: 0, ms: 0 } };
export function resetFetchStats(): void {
  fetchStats.push = { n: 0, ms: 0 };
  fetchStats.pull = { n: 0, ms: 0 };
  fetchStats.reconcile = { n: 0, ms: 0 };
}
/** Timeline marks (epoch ms, sub-ms), for splitting "write on A → visible on B" into its steps. */
export const marks: { at: number; what: string }[] = [];
let marking = false;
/** Marks are kept only while on (scenario 4 turns them on). */
export function setMarking(on: boolean): void {
  marking = on;
  marks.length = 0;
}
export function mark(what: string): void {
  if (marking && marks.length < 10_000) marks.push({ at: performance.timeOrigin + performance.now(), what });
}

async function timedFetch(input: string, init: RequestInit): Promise<Response> {
  const t0 = performance.now();
  const name = input.includes('/api/sync/push') ? 'push' : input.includes('/api/sync/pull') ? 'pull' : 'fetch';
  mark(`${name} start`);
  const response = await fetch(input, init);
  const text = await response.text();
  mark(`${name} end`);
  const kind = input.includes('/api/sync/push') ? fetchStats.push : input.includes('/api/sync/pull') ? fetchStats.pull : null;
  if (kind) {
    kind.n++;
    kind.ms += performance.now() - t0;
  }
  return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
}

export async function signIn(email: string, password: string): Promise<BenchUser> {
  const response = await fetch('/api/auth/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { user: BenchUser }).user;
}

export interface DeviceOptions {
  readonly batchSize?: number;
  readonly pullLimit?: number;
}

/** navigator.locks, with marks when the sync lock is asked for and granted. */
const markedLocks: LocksLike = {
  request(name, options, callback) {
    mark('lock asked');
    return (navigator.locks as unknown as LocksLike).request(name, options, (lock) => {
      mark('lock granted');
      return callback(lock);
    });
  },
} as LocksLike;

export async function openDevice(user: BenchUser, options: DeviceOptions = {}): Promise<Device> {
  const db = openOutpostDb(undefined, { indexedDB, IDBKeyRange });
  const bootId = crypto.randomUUID();
  const ctx = await openDataContext({
    db,
    userId: user.id,
    now: Date.now,
    elapsedMs: () => performance.now(),
    bootId,
    uuid: uuidv7,
  });
  const transaction = db.transaction;
  (db as { transaction: unknown }).transaction = function (this: OutpostDb, ...args: unknown[]) {
    const label = `tx ${String(args[0])} ${args.length - 2}`;
    mark(`${label} start`);
    const result = (transaction as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    const done = () => mark(`${label} end`);
    result.then(done, done);
    return result;
  };
  const worker = new Worker(new URL('../../src/worker/reconcile.worker.ts', import.meta.url), { type: 'module', name: 'outpost-reconcile' });
  const remote = wrap<ReconcilerApi>(worker);
  // The engine's calls into the worker, timed (clone, transaction, answer): the device side of a pull.
  const reconciler: ReconcilerLike = {
    async applyPulled(...args) {
      const t0 = performance.now();
      try {
        return await remote.applyPulled(...args);
      } finally {
        fetchStats.reconcile.n++;
        fetchStats.reconcile.ms += performance.now() - t0;
      }
    },
  };
  const engine = createSyncEngine({
    db,
    transport: createHttpTransport({ baseUrl: '', fetch: timedFetch }),
    reconciler,
    locks: markedLocks,
    clock: { now: Date.now },
    timers: systemTimers,
    random: Math.random,
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    ...(options.pullLimit ? { pullLimit: options.pullLimit } : {}),
  });

  // The app's own triggers (src/state/triggers.ts), with the live channel asking for records (LV3) when
  // the scenario wants it; a mark when a message arrives, for the step split of scenario 4.
  let triggers: BrowserTriggers | null = null;
  const openLive = () => {
    const source = new EventSource(LIVE_URL);
    source.addEventListener('message', () => mark('poke'));
    return source;
  };
  return {
    db,
    ctx,
    engine,
    worker,
    afterWrite() {
      triggers?.write();
      void engine.refresh();
    },
    start(live) {
      triggers = createBrowserTriggers({ window, document, openLive: live ? openLive : null });
      engine.start(triggers);
    },
    async close() {
      triggers?.closeLive();
      await engine.stop();
      worker.terminate();
      db.close();
    },
  };
}
