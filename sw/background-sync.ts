/**
 * The outbox drain's wake-up call from the browser (SY3).
 *
 * The Workbox Queue here is used ONLY as a scheduler for the Background Sync API (`sync` event, also after
 * every tab is closed, in Chromium). It never holds a change: the app's Dexie outbox is the system of
 * record (contract 2; FIELD-NOTES: a Queue deletes entries before sending, treats 4xx/5xx as success and
 * expires them after 7 days). Nothing is ever pushed into this queue with `pushRequest`; its `onSync` runs
 * the service worker's drain (drain.ts) instead of replaying requests.
 *
 * Without the Background Sync API, Workbox calls `onSync` once when the service worker starts, outside any
 * `waitUntil`: harmless (one serialized drain), and its failure is swallowed there; the page's own triggers
 * drain on those browsers.
 */
import { Queue } from 'workbox-background-sync';
import { SyncRetryLaterError } from './drain.ts';
import type { ServiceWorkerDrain } from './drain.ts';
import type { ServiceWorkerMessage } from './messages.ts';

/** Name of the Workbox queue; its sync tag is `workbox-background-sync:outpost-outbox`. */
export const OUTBOX_QUEUE_NAME = 'outpost-outbox';
export const OUTBOX_SYNC_TAG = `workbox-background-sync:${OUTBOX_QUEUE_NAME}`;

let queue: Queue | undefined;

export function setUpOutboxWake(sw: ServiceWorkerGlobalScope, drain: ServiceWorkerDrain): Queue {
  const hasSyncEvent = 'sync' in sw.registration;
  queue ??= new Queue(OUTBOX_QUEUE_NAME, {
    onSync: hasSyncEvent ? () => onOutboxSync(sw, drain) : () => onOutboxSync(sw, drain).catch(() => undefined),
  });
  return queue;
}

/**
 * Ask the browser for a `sync` event as soon as it has a connection (e.g. after a change was queued
 * offline). Resolves even offline; the event waits for the network.
 */
export async function scheduleOutboxSync(): Promise<void> {
  await queue?.registerSync();
}

async function onOutboxSync(sw: ServiceWorkerGlobalScope, drain: ServiceWorkerDrain): Promise<void> {
  try {
    const { outcome } = await drain.drain();
    if (outcome === 'update-required') {
      await post(sw, { type: 'UPDATE_REQUIRED', at: Date.now() });
      await sw.registration.update().catch(() => undefined); // a newer version may be on the server
    }
    await post(sw, { type: 'OUTBOX_SYNC', at: Date.now(), outcome });
  } catch (error) {
    const outcome = error instanceof SyncRetryLaterError ? error.outcome : 'error';
    await post(sw, { type: 'OUTBOX_SYNC', at: Date.now(), outcome }).catch(() => undefined);
    throw error; // the sync event fails, so the browser retries it later (SY4)
  }
}

async function post(sw: ServiceWorkerGlobalScope, message: ServiceWorkerMessage): Promise<void> {
  const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
  for (const client of windows) client.postMessage(message);
}
