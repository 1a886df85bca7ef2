/** Messages the service worker accepts from pages, and the ones it posts to them. */
import type { SwDrainOutcome } from './drain.ts';

/** Posted by workbox-window's `messageSkipWaiting()` when the person applies an update. */
export type SkipWaitingMessage = { type: 'SKIP_WAITING' };

/**
 * Posted to every window client after the service worker ran the outbox drain for a background `sync` event,
 * so open pages refresh what they show (counts, last sync). Pages need not drain in answer: the drain ran.
 */
export type OutboxSyncMessage = { type: 'OUTBOX_SYNC'; at: number; outcome: SwDrainOutcome };

/** Posted when the server called this version too old (426, SV2): pages show the update prompt (contract 9). */
export type UpdateRequiredMessage = { type: 'UPDATE_REQUIRED'; at: number };

export type ServiceWorkerMessage = OutboxSyncMessage | UpdateRequiredMessage;

export function isSkipWaitingMessage(data: unknown): data is SkipWaitingMessage {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'SKIP_WAITING';
}
