/**
 * The outbox drain's wake-up call from the browser — the place the sync engine plugs into.
 *
 * The Workbox Queue here is used ONLY as a scheduler for the Background Sync API (`sync` event, also after
 * every tab is closed, in Chromium). It never holds a change: the app's Dexie outbox is the system of
 * record (contract 2; FIELD-NOTES: a Queue deletes entries before sending, treats 4xx/5xx as success and
 * expires them after 7 days). Nothing is ever pushed into this queue with `pushRequest`.
 *
 * TODO(SY3): the sync engine (src/sync) fills `onOutboxSync` with the service worker's trigger: run the one
 * serialized drain under the Web Lock `outpost-sync` (SY1), with transport/store/clock injected (SY7).
 * Until then it only tells open pages that the browser asked for a sync, so they can drain themselves.
 */
import { Queue } from 'workbox-background-sync';
import type { OutboxSyncMessage } from './messages.ts';

/** Name of the Workbox queue; its sync tag is `workbox-background-sync:outpost-outbox`. */
export const OUTBOX_QUEUE_NAME = 'outpost-outbox';

let queue: Queue | undefined;

export function setUpOutboxWake(sw: ServiceWorkerGlobalScope): Queue {
  queue ??= new Queue(OUTBOX_QUEUE_NAME, { onSync: () => onOutboxSync(sw) });
  return queue;
}

/**
 * Ask the browser for a `sync` event as soon as it has a connection (e.g. after a change was queued
 * offline). Resolves even offline; the event waits for the network.
 */
export async function scheduleOutboxSync(): Promise<void> {
  await queue?.registerSync();
}

async function onOutboxSync(sw: ServiceWorkerGlobalScope): Promise<void> {
  const message: OutboxSyncMessage = { type: 'OUTBOX_SYNC', at: Date.now() };
  const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
  for (const client of windows) client.postMessage(message);
}
