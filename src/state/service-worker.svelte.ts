/**
 * Registers the service worker (production builds only, see src/main.ts) and runs the update flow
 * (contract 9; FIELD-NOTES "Service worker updates"):
 *
 * - a newer version that is installed and waiting is only *offered* (`updateWaiting`); nothing reloads by
 *   itself, whatever waits in the outbox;
 * - `applyUpdate()` runs when the person clicks "Update now": it takes the Web Lock `outpost-sync` (SY1), so
 *   no drain in any tab or the service worker is mid-send, then posts SKIP_WAITING and reloads this page once
 *   the new worker controls it. Unsent changes stay in IndexedDB and are sent by the new version;
 * - another tab applying the update, or a lazy chunk missing after one (`vite:preloadError`), only asks for a
 *   reload (`reloadNeeded`);
 * - a server that calls this version too old (426, SV2 — from the page's engine through `requireUpdate()`, or
 *   from the service worker's drain) checks for a new version at once (`updateRequired`).
 */
import { Workbox } from 'workbox-window';
import { SYNC_LOCK } from '../sync/locks.ts';

export type ServiceWorkerStatus = 'unsupported' | 'registering' | 'ready' | 'failed';

/** The last background drain the service worker ran for a `sync` event, as it told the page. */
export interface BackgroundSyncReport {
  readonly at: number;
  readonly outcome: string;
}

/** Give up waiting for the new worker to take control after this long (then offer a plain reload). */
const CONTROL_TIMEOUT_MS = 15_000;

class ServiceWorkerState {
  status = $state<ServiceWorkerStatus>('registering');
  /** A newer version is installed and waits for the person's say-so. */
  updateWaiting = $state(false);
  /** The server (HTTP 426) or the service worker said this version is too old to keep syncing. */
  updateRequired = $state(false);
  /** The person clicked "Update now": waiting for the sync lock, then for the new worker to take control. */
  updating = $state(false);
  /** This page runs older code than the service worker serves (another tab updated, or a chunk is missing). */
  reloadNeeded = $state(false);
  /** The service worker's last background drain (diagnostics; pages may refresh their counts on it). */
  lastBackgroundSync = $state<BackgroundSyncReport | null>(null);
  /** Last registration or update error, for the diagnostics page. */
  error = $state<string | null>(null);
}

export const serviceWorker = new ServiceWorkerState();

let workbox: Workbox | null = null;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Vite's event when a lazily imported chunk cannot load (old page, new service worker cache): ask to reload. */
function watchPreloadErrors(target: Window): void {
  target.addEventListener('vite:preloadError', (event) => {
    event.preventDefault(); // do not crash the view that imported it
    serviceWorker.reloadNeeded = true;
  });
}

function onServiceWorkerMessage(event: MessageEvent<unknown>): void {
  const data = event.data as { type?: unknown; at?: unknown; outcome?: unknown } | null;
  if (typeof data !== 'object' || data === null) return;
  if (data.type === 'OUTBOX_SYNC' && typeof data.at === 'number' && typeof data.outcome === 'string') {
    serviceWorker.lastBackgroundSync = { at: data.at, outcome: data.outcome };
  } else if (data.type === 'UPDATE_REQUIRED') {
    requireUpdate();
  }
}

export function registerServiceWorker(url = '/sw.js'): Workbox | null {
  watchPreloadErrors(window);
  if (!('serviceWorker' in navigator)) {
    serviceWorker.status = 'unsupported';
    return null;
  }
  const container = navigator.serviceWorker;
  const wb = new Workbox(url);
  workbox = wb;
  // Fires for an update found by this page, by another tab, or one already waiting before this page loaded.
  wb.addEventListener('waiting', () => (serviceWorker.updateWaiting = true));

  // A page that saw an update waiting and then gets the new worker as controller (another tab clicked
  // "Update now") runs older code than the worker now serving it: offer a reload. The page that clicked
  // reloads by itself (applyUpdate). A controller change without an update offered first (the very first
  // visit's claim; Chromium re-installing the same script) is no new version and changes nothing here.
  container.addEventListener('controllerchange', () => {
    if (serviceWorker.updateWaiting && !serviceWorker.updating) {
      serviceWorker.updateWaiting = false;
      serviceWorker.reloadNeeded = true;
    }
  });
  container.addEventListener('message', onServiceWorkerMessage);

  wb.register().then(
    (registration) => (serviceWorker.status = registration === undefined ? 'unsupported' : 'ready'),
    (error: unknown) => {
      serviceWorker.status = 'failed';
      serviceWorker.error = describe(error);
    },
  );
  return wb;
}

/**
 * The server says this version is too old to sync (engine phase `update-required`, HTTP 426): show the
 * prompt's wording for it and look for a newer service worker now. Changes stay queued (PU7).
 */
export function requireUpdate(): void {
  serviceWorker.updateRequired = true;
  workbox?.update().catch((error: unknown) => (serviceWorker.error = describe(error)));
}

export interface ApplyUpdateDeps {
  readonly locks: Pick<LockManager, 'request'> | undefined;
  readonly container: ServiceWorkerContainer;
  readonly skipWaiting: () => void;
  readonly reload: () => void;
  readonly timeoutMs: number;
}

function browserDeps(wb: Workbox): ApplyUpdateDeps {
  return {
    locks: 'locks' in navigator ? navigator.locks : undefined,
    container: navigator.serviceWorker,
    skipWaiting: () => wb.messageSkipWaiting(),
    reload: () => location.reload(),
    timeoutMs: CONTROL_TIMEOUT_MS,
  };
}

/**
 * "Update now" (only ever called from the person's click). Under the sync lock, so no drain is mid-send
 * anywhere: tell the waiting worker to take over, and reload once it controls this page. The lock is held
 * until the page unloads, so this page starts no drain in between.
 */
export async function applyUpdate(deps?: ApplyUpdateDeps): Promise<void> {
  if (serviceWorker.updating) return;
  const resolved = deps ?? (workbox ? browserDeps(workbox) : null);
  if (resolved === null) return;
  const { locks, container, skipWaiting, reload, timeoutMs } = resolved;
  serviceWorker.updating = true;
  serviceWorker.error = null;

  const swap = async (): Promise<void> => {
    const controlled = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      container.addEventListener(
        'controllerchange',
        () => {
          clearTimeout(timer);
          resolve(true);
        },
        { once: true },
      );
    });
    skipWaiting();
    if ((await controlled) && (await activated(container.controller, timeoutMs))) {
      reload();
      // Keep the lock until the page is gone (released by the browser on unload).
      await new Promise<void>((resolve) => addEventListener('pagehide', () => resolve(), { once: true }));
      return;
    }
    serviceWorker.updating = false;
    serviceWorker.reloadNeeded = true;
    serviceWorker.error = 'The new version did not take over in time. Reload to use it; your changes are kept.';
  };

  try {
    if (locks) await locks.request(SYNC_LOCK, { mode: 'exclusive' }, swap);
    else await swap();
  } catch (error) {
    serviceWorker.updating = false;
    serviceWorker.error = describe(error);
  }
}

/**
 * Resolves true once `worker` is activated. Reloading while the new worker is still `activating` made
 * Chromium install and activate further copies of the same script on the reload's navigation.
 */
function activated(worker: ServiceWorker | null, timeoutMs: number): Promise<boolean> {
  if (worker === null) return Promise.resolve(false);
  if (worker.state === 'activated') return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    const onChange = (): void => {
      if (worker.state !== 'activated' && worker.state !== 'redundant') return;
      clearTimeout(timer);
      worker.removeEventListener('statechange', onChange);
      resolve(worker.state === 'activated');
    };
    worker.addEventListener('statechange', onChange);
  });
}

/** "Reload" after another tab updated or a chunk went missing: only on the person's click. */
export function reloadPage(): void {
  location.reload();
}
