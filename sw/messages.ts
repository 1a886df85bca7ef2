/** Messages the service worker accepts from pages, and the ones it posts to them. */

/** Posted by workbox-window's `messageSkipWaiting()` when the person applies an update. */
export type SkipWaitingMessage = { type: 'SKIP_WAITING' };

/** Posted to every window client when the browser fires the outbox's background `sync` event. */
export type OutboxSyncMessage = { type: 'OUTBOX_SYNC'; at: number };

export function isSkipWaitingMessage(data: unknown): data is SkipWaitingMessage {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'SKIP_WAITING';
}
