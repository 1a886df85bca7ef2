import { HLC_PATTERN, formatHlc, initialHlc, parseHlc, receiveHlc, tickHlc } from '../../protocol/index.ts';
import type { MetaValues, OutpostDb } from './db.ts';

/** Read one meta value (inside or outside a transaction). */
export async function getMeta<K extends keyof MetaValues>(db: OutpostDb, key: K): Promise<MetaValues[K] | undefined> {
  const row = await db.meta.get(key);
  return row?.value as MetaValues[K] | undefined;
}

/** Write one meta value (inside or outside a transaction). */
export async function setMeta<K extends keyof MetaValues>(db: OutpostDb, key: K, value: MetaValues[K]): Promise<void> {
  await db.meta.put({ key, value });
}

/** This device's id, created once and kept in meta. */
export async function ensureDeviceId(db: OutpostDb, uuid: () => string): Promise<string> {
  const known = await getMeta(db, 'deviceId'); // usually there: no readwrite transaction then
  if (known) return known;
  return db.transaction('rw', db.meta, async () => {
    const existing = await getMeta(db, 'deviceId');
    if (existing) return existing;
    const id = uuid();
    await setMeta(db, 'deviceId', id);
    return id;
  });
}

function hlcFrom(stamp: string | undefined, node: string) {
  return stamp && HLC_PATTERN.test(stamp) ? { ...parseHlc(stamp), node } : initialHlc(node);
}

async function currentHlc(db: OutpostDb, node: string) {
  return hlcFrom(await getMeta(db, 'hlc'), node);
}

/** SY6: the device clock's next stamp after `stored` (the `hlc` meta value), for a local write. Store it. */
export function nextDeviceHlc(stored: string | undefined, node: string, nowMs: number): string {
  return formatHlc(tickHlc(hlcFrom(stored, node), nowMs));
}

/** SY6: tick the device clock for a local write. Call inside a transaction that includes `meta`. */
export async function tickDeviceHlc(db: OutpostDb, node: string, nowMs: number): Promise<string> {
  const next = nextDeviceHlc(await getMeta(db, 'hlc'), node, nowMs);
  await setMeta(db, 'hlc', next);
  return next;
}

/**
 * SY6: merge a server stamp so that later local edits order after it. Call
 * inside a transaction that includes `meta`, or alone. Ignores non-stamps.
 */
export async function mergeHlcInTx(db: OutpostDb, serverHlc: string, nowMs: number): Promise<void> {
  if (!HLC_PATTERN.test(serverHlc)) return;
  const node = (await getMeta(db, 'deviceId')) ?? parseHlc(serverHlc).node;
  await setMeta(db, 'hlc', formatHlc(receiveHlc(await currentHlc(db, node), serverHlc, nowMs)));
}

/** SY6 in its own transaction (push answers). */
export async function mergeServerHlc(db: OutpostDb, serverHlc: string, nowMs: number): Promise<void> {
  // The scope must be an `async` function: Dexie keeps its zone across native awaits only then.
  await db.transaction('rw', db.meta, async () => {
    await mergeHlcInTx(db, serverHlc, nowMs);
  });
}
