/**
 * Registers the service worker (production builds only, see src/main.ts) and keeps its state for the UI.
 * An update that is waiting is only recorded here; the update prompt that applies it (SKIP_WAITING, then
 * reload on `controlling`, never while a write is unsent — contract 9) is a later issue.
 */
import { Workbox } from 'workbox-window';

export type ServiceWorkerStatus = 'unsupported' | 'registering' | 'ready' | 'failed';

class ServiceWorkerState {
  status = $state<ServiceWorkerStatus>('registering');
  /** A newer version is installed and waits for the person's say-so. */
  updateWaiting = $state(false);
  /** Last registration error, for the diagnostics page. */
  error = $state<string | null>(null);
}

export const serviceWorker = new ServiceWorkerState();

export function registerServiceWorker(url = '/sw.js'): Workbox | null {
  if (!('serviceWorker' in navigator)) {
    serviceWorker.status = 'unsupported';
    return null;
  }
  const wb = new Workbox(url);
  wb.addEventListener('waiting', () => (serviceWorker.updateWaiting = true));
  wb.register().then(
    (registration) => (serviceWorker.status = registration === undefined ? 'unsupported' : 'ready'),
    (error: unknown) => {
      serviceWorker.status = 'failed';
      serviceWorker.error = error instanceof Error ? error.message : String(error);
    },
  );
  return wb;
}
