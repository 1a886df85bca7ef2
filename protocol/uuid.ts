import { v7 } from 'uuid';

/**
 * A new time-ordered UUID (version 7, RFC 9562): 48 bits of Unix milliseconds, then random bits.
 * Devices make change ids and new entity ids with it, so ids made later sort after ids made earlier
 * (within one context also in the same millisecond: the library keeps a counter). The server's
 * B-trees keyed by these ids (receipts, entity keys, the change-log index) then grow at their right
 * edge instead of at random pages, which keeps a batch's writes on few pages (PERFORMANCE.md, 6).
 * The id reveals when it was made, which the change's HLC stamp reveals anyway. Works in pages,
 * workers, service workers (crypto.getRandomValues) and Node.
 */
export function uuidv7(): string {
  return v7();
}
