/**
 * Test support for src/data, src/worker and src/sync tests (Node + fake-indexeddb).
 * Not imported by app code.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import type { EntityState } from '../../protocol/index.ts';
import { openOutpostDb } from './db.ts';
import type { OpenDbDeps, OutpostDb } from './db.ts';
import type { DataContext } from './write.ts';

/** A database on its own fresh factory, so tests never share one. */
export function freshDb(name = 'outpost-test', extra: Pick<OpenDbDeps, 'onVersionChange'> = {}): { db: OutpostDb; factory: IDBFactory } {
  const factory = new IDBFactory();
  return { db: openOutpostDb(name, { indexedDB: factory, IDBKeyRange, ...extra }), factory };
}

let uuidPrefix = 0x1000;

/** Deterministic valid v4 UUIDs; each generator gets its own prefix so devices never collide. */
export function uuidSequence(): () => string {
  const prefix = (uuidPrefix++).toString(16).padStart(8, '0');
  let n = 0;
  return () => `${prefix}-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}`;
}

export interface TestClock {
  t: number;
  now: () => number;
}

export function testClock(start = 1_700_000_000_000): TestClock {
  const clock: TestClock = { t: start, now: () => clock.t };
  return clock;
}

export function testContext(db: OutpostDb, overrides: Partial<DataContext> = {}): DataContext {
  const clock = testClock();
  return {
    db,
    deviceId: 'device-a',
    userId: 'user-1',
    now: () => clock.t++,
    elapsedMs: () => 1234,
    bootId: 'boot-1',
    uuid: uuidSequence(),
    ...overrides,
  };
}

/** A server state for seeding the base (as if pulled). */
export function serverState(entity: EntityState['entity'], entityId: string, version: number, fields: Record<string, unknown>, hlc = '1600000000000-0000-server'): EntityState {
  const clocks = Object.fromEntries(Object.keys(fields).map((k) => [k, { hlc, version, device: 'server-device' }]));
  return { entity, entityId, version, deleted: false, fields, clocks };
}

export const JOB_FIELDS = {
  title: 'Fix the pump',
  site: 'North yard',
  details: '',
  scheduledFor: '2025-06-01',
  assigneeId: 'user-1',
  status: 'scheduled',
} as const;
