/**
 * Bench service worker: a plain workbox-background-sync Queue (the naive baseline of scenario 3). The page
 * fills it with one POST per change, then asks for `replayRequests()` — what the Queue's `sync` handler
 * runs — and gets the time back. No fetch handler: it never touches the page's own requests.
 */
import { Queue } from 'workbox-background-sync';

interface SwScope {
  addEventListener(type: 'message', listener: (event: MessageEvent & { ports: readonly MessagePort[]; waitUntil(p: Promise<unknown>): void }) => void): void;
  addEventListener(type: 'install' | 'activate', listener: (event: Event & { waitUntil(p: Promise<unknown>): void }) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
}
const sw = self as unknown as SwScope;
const queue = new Queue('bench-naive-replay', { maxRetentionTime: Infinity });

sw.addEventListener('install', (event) => event.waitUntil(sw.skipWaiting()));
sw.addEventListener('activate', (event) => event.waitUntil(sw.clients.claim()));
sw.addEventListener('message', (event) => {
  const port = event.ports[0];
  const data = event.data as { cmd: 'fill'; bodies: string[] } | { cmd: 'replay' };
  const work = (async () => {
    const t0 = performance.now();
    try {
      if (data.cmd === 'fill') {
        for (const body of data.bodies) {
          await queue.pushRequest({
            request: new Request('/api/sync/push', {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-outpost-protocol': '1' },
              body,
              credentials: 'same-origin',
            }),
          });
        }
      } else {
        await queue.replayRequests();
      }
      port?.postMessage({ ms: performance.now() - t0, left: await queue.size() });
    } catch (err) {
      port?.postMessage({ ms: performance.now() - t0, left: -1, error: err instanceof Error ? err.message : String(err) });
    }
  })();
  event.waitUntil(work);
});
