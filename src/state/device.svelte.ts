/**
 * Device wiring: while someone is signed in, THE database, a DataContext, the reconcile worker (Comlink)
 * and the sync engine with the page's triggers. Everything the UI knows about syncing comes from the
 * engine's status events (SY5); every local write goes through `device.write` so the engine, the counts
 * and the service worker's Background Sync hear about it.
 */
import { wrap, type Remote } from 'comlink';
import { uuidv7 } from '../../protocol/index.ts';
import { openDataContext, openOutpostDb } from '../data/index.ts';
import type { DataContext, OutpostDb, WriteResult } from '../data/index.ts';
import { createHttpTransport, createMemoryLocks, createSyncEngine, systemTimers } from '../sync/index.ts';
import type { DrainResult, LocksLike, SyncEngine, SyncStatus } from '../sync/index.ts';
import type { ReconcilerApi } from '../worker/api.ts';
import { LIVE_URL, createBrowserTriggers, type BrowserTriggers } from './triggers.ts';
import { claimDevice } from './device-user.ts';
import type { User } from './session.svelte.ts';

/** closed: nobody signed in · opening · ready · held: another person's changes wait (device-user.ts) · failed. */
export type DevicePhase = 'closed' | 'opening' | 'ready' | 'held' | 'failed';

/** What the state modules query with: the open database and whose data to show. */
export interface DeviceScope {
  readonly db: OutpostDb;
  readonly userId: string;
  readonly role: User['role'];
}

/** Tag of the service worker's outbox queue (sw/background-sync.ts). */
export const OUTBOX_SYNC_TAG = 'workbox-background-sync:outpost-outbox';

const EMPTY_STATUS: SyncStatus = {
  phase: 'idle',
  counts: { pending: 0, sending: 0, acked: 0, refused: 0, conflict: 0 },
  lastSyncAt: null,
  lastError: null,
  nextRetryAt: null,
};

interface Runtime {
  readonly userId: string;
  readonly db: OutpostDb;
  readonly engine: SyncEngine | null;
  readonly triggers: BrowserTriggers | null;
  readonly worker: Worker | null;
  readonly dispose: Array<() => void>;
}

class Device {
  phase = $state<DevicePhase>('closed');
  scope = $state.raw<DeviceScope | null>(null);
  ctx = $state.raw<DataContext | null>(null);
  deviceId = $state<string | null>(null);
  status = $state.raw<SyncStatus>(EMPTY_STATUS);
  /** VR2: another tab opened a newer schema; this page must reload. */
  reloadRequired = $state(false);
  /** Changes of the person who used the device before, not yet taken by the server (phase `held`). */
  heldChanges = $state(0);
  error = $state<string | null>(null);
  /** The last local write that failed, until one succeeds (diagnostics: a full disk, DG4). */
  lastWriteError = $state.raw<{ readonly at: number; readonly name: string; readonly message: string } | null>(null);

  #runtime: Runtime | null = null;
  #opening: Promise<void> | null = null;
  readonly #bootId = crypto.randomUUID();

  /** Open everything for `user` (idempotent for the same person). */
  open(user: User): Promise<void> {
    if (this.#runtime?.userId === user.id) return this.#opening ?? Promise.resolve();
    const previous = this.#runtime ? this.close() : Promise.resolve();
    this.#opening = previous.then(() => this.#open(user));
    return this.#opening;
  }

  async #open(user: User): Promise<void> {
    this.phase = 'opening';
    this.error = null;
    const db = openOutpostDb(undefined, {
      indexedDB,
      IDBKeyRange,
      onVersionChange: () => {
        this.reloadRequired = true;
      },
    });
    const runtime: Runtime = { userId: user.id, db, engine: null, triggers: null, worker: null, dispose: [] };
    this.#runtime = runtime;
    try {
      const claim = await claimDevice(db, user.id);
      if (claim.kind === 'held') {
        this.heldChanges = claim.unsent;
        this.phase = 'held';
        return;
      }
      const ctx = await openDataContext({
        db,
        userId: user.id,
        now: Date.now,
        elapsedMs: () => performance.now(),
        bootId: this.#bootId,
        // Time-ordered ids (change ids, new entity ids): the server's keys grow at one end (PERFORMANCE.md, 6).
        uuid: uuidv7,
      });
      const worker = new Worker(new URL('../worker/reconcile.worker.ts', import.meta.url), { type: 'module', name: 'outpost-reconcile' });
      const reconciler: Remote<ReconcilerApi> = wrap<ReconcilerApi>(worker);
      const locks: LocksLike = 'locks' in navigator ? (navigator.locks as unknown as LocksLike) : createMemoryLocks();
      const engine = createSyncEngine({
        db,
        transport: createHttpTransport({ baseUrl: '', fetch: fetch.bind(globalThis) }),
        reconciler,
        locks,
        clock: { now: Date.now },
        timers: systemTimers,
        random: Math.random,
        context: 'page', // DG3: every drain pass is recorded for the diagnostics page
      });
      const triggers = createBrowserTriggers({
        window,
        document,
        openLive: typeof EventSource === 'function' ? () => new EventSource(LIVE_URL) : null,
      });
      if (this.#runtime !== runtime) {
        worker.terminate();
        return;
      }
      Object.assign(runtime, { engine, triggers, worker });
      runtime.dispose.push(engine.subscribe((status) => (this.status = status)));
      runtime.dispose.push(listenToServiceWorker(() => void engine.syncNow('sw-sync')));
      this.ctx = ctx;
      this.deviceId = ctx.deviceId;
      this.scope = { db, userId: user.id, role: user.role };
      this.phase = 'ready';
      engine.start(triggers);
      void engine.refresh();
    } catch (err) {
      if (this.#runtime !== runtime) return;
      this.error = err instanceof Error ? err.message : String(err);
      this.phase = 'failed';
    }
  }

  /** Stop syncing and release everything (signed out). Local data stays on the device. */
  async close(): Promise<void> {
    const runtime = this.#runtime;
    this.#runtime = null;
    this.#opening = null;
    this.phase = 'closed';
    this.scope = null;
    this.ctx = null;
    this.heldChanges = 0;
    this.status = EMPTY_STATUS;
    if (!runtime) return;
    runtime.triggers?.closeLive();
    for (const dispose of runtime.dispose) dispose();
    await runtime.engine?.stop();
    runtime.worker?.terminate();
    runtime.db.close();
  }

  /**
   * Run one write function with the device's DataContext. Resolves once the change is committed on this
   * device (OB1) — the only moment the UI may say "saved" — and then wakes the drain, refreshes the
   * counts and asks the service worker for a Background Sync.
   */
  async write<T = WriteResult>(run: (ctx: DataContext) => Promise<T>): Promise<T> {
    const ctx = this.ctx;
    if (ctx === null) throw new Error('Outpost is still opening on this device. Try again in a moment.');
    let result: T;
    try {
      result = await run(ctx);
    } catch (err) {
      const name = typeof err === 'object' && err !== null && 'name' in err ? String((err as { name: unknown }).name) : 'Error';
      this.lastWriteError = { at: Date.now(), name, message: err instanceof Error ? err.message : String(err) };
      throw err;
    }
    this.lastWriteError = null;
    this.#afterWrite();
    return result;
  }

  #afterWrite(): void {
    const runtime = this.#runtime;
    if (!runtime?.engine) return;
    // Offline, a drain would only fail and mark the rows as attempted, which stops OB5 from folding the
    // next keystrokes into them; `online` drains at once when the network is back.
    if (navigator.onLine) runtime.triggers?.write();
    void runtime.engine.refresh();
    requestBackgroundSync();
  }

  /** "Sync now" (SY4: retries at once, even during a backoff). Resolves with the drain's result; null when not open. */
  syncNow(): Promise<DrainResult | null> {
    const runtime = this.#runtime;
    runtime?.triggers?.reconnectLive();
    return runtime?.engine?.syncNow('manual') ?? Promise.resolve(null);
  }

  /** Signed in again: leave `signed-out` and drain (PU7, SY4). */
  resume(): void {
    const runtime = this.#runtime;
    if (!runtime?.engine) return;
    this.status = { ...this.status, phase: 'idle', lastError: null };
    runtime.triggers?.reconnectLive();
    void runtime.engine.resume();
  }

  /** Changes that have not reached the server: waiting, refused or in conflict. */
  get unsent(): number {
    const c = this.status.counts;
    return c.pending + c.sending + c.refused + c.conflict;
  }
}

/** After a local write: ask the service worker for a `sync` event (Chromium), where it exists. */
function requestBackgroundSync(): void {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.ready
    .then((registration) => (registration as ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }).sync?.register(OUTBOX_SYNC_TAG))
    .catch(() => {
      // No Background Sync here (Firefox, Safari) or not allowed: the page's own triggers still drain.
    });
}

/** The service worker tells open pages when the browser fired the outbox's `sync` event. */
function listenToServiceWorker(onSync: () => void): () => void {
  if (!('serviceWorker' in navigator)) return () => {};
  const onMessage = (event: MessageEvent): void => {
    const data: unknown = event.data;
    if (typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'OUTBOX_SYNC') onSync();
  };
  navigator.serviceWorker.addEventListener('message', onMessage);
  return () => navigator.serviceWorker.removeEventListener('message', onMessage);
}

export const device = new Device();
