import { randomUUID } from 'node:crypto';
import type { Role } from '../../protocol/index.ts';
import { PAYLOAD_VERSION } from '../../protocol/index.ts';
import type { ServerStorage } from '../storage/types.ts';
import { prepareChanges } from '../sync/prepare.ts';
import type { Actor, IncomingChange } from '../sync/types.ts';

/** Test data only: a change as a device sends it. */
export interface RawChange extends Record<string, unknown> {
  id: string;
  deviceId: string;
  entity: string;
  entityId: string;
  op: string;
  fields: Record<string, unknown>;
  hlc: string;
  baseVersion: number;
  payloadVersion: number;
}

let tick = 0;
/** A fresh, strictly increasing HLC stamp for `device`. */
export function nextHlc(device = 'dev-a'): string {
  tick += 1;
  return `${String(1_700_000_000_000 + tick).padStart(13, '0')}-0000-${device}`;
}

export function raw(partial: Partial<RawChange> & Pick<RawChange, 'entity' | 'entityId'>): RawChange {
  const deviceId = partial.deviceId ?? 'dev-a';
  return {
    id: randomUUID(),
    deviceId,
    op: 'update',
    fields: {},
    hlc: nextHlc(deviceId),
    baseVersion: 0,
    payloadVersion: PAYLOAD_VERSION,
    ...partial,
  };
}

export function jobCreate(entityId: string, assigneeId: string | null, extra: Record<string, unknown> = {}): RawChange {
  return raw({
    entity: 'job',
    entityId,
    op: 'create',
    fields: { title: `Job ${entityId.slice(0, 6)}`, scheduledFor: '2030-01-02', status: 'scheduled', assigneeId, ...extra },
  });
}

export function punchCreate(userId: string, entityId: string = randomUUID()): RawChange {
  return raw({
    entity: 'punch',
    entityId,
    op: 'create',
    fields: {
      userId,
      kind: 'clock_in',
      at: 1_700_000_000_000,
      recordedAt: 1_700_000_000_000,
      elapsedMs: 1000,
      bootId: 'boot-1',
      location: null,
      flags: ['no_location'],
      correctionReason: null,
    },
  });
}

export function reportCreate(jobId: string, notes = 'All fine'): RawChange {
  return raw({ entity: 'report', entityId: jobId, op: 'create', fields: { jobId, notes } });
}

export const prep = (...changes: RawChange[]): IncomingChange[] => prepareChanges(changes);

export interface World {
  manager: Actor;
  wes: Actor;
  ana: Actor;
  /** A manager and a worker of another organisation. */
  otherManager: Actor;
  otherWorker: Actor;
}

async function person(storage: ServerStorage, orgId: string, name: string, role: Role): Promise<Actor> {
  const user = await storage.createUser({ orgId, email: `${name}-${randomUUID().slice(0, 8)}@test.outpost`, name, role, passwordHash: 'scrypt$test' });
  return { userId: user.id, orgId, role };
}

/** Two organisations: one with a manager and two workers, another with a manager and a worker. */
export async function makeWorld(storage: ServerStorage): Promise<World> {
  const org = await storage.createOrg({ name: 'Org A' });
  const other = await storage.createOrg({ name: 'Org B' });
  return {
    manager: await person(storage, org.id, 'maria', 'manager'),
    wes: await person(storage, org.id, 'wes', 'worker'),
    ana: await person(storage, org.id, 'ana', 'worker'),
    otherManager: await person(storage, other.id, 'olga', 'manager'),
    otherWorker: await person(storage, other.id, 'oscar', 'worker'),
  };
}

/** Everything `actor` can pull, page by page. */
export async function pullAll(storage: ServerStorage, actor: Actor, limit = 1000, cursor = 0) {
  const records = [];
  let at = cursor;
  for (;;) {
    const page = await storage.pull(actor, at, limit);
    records.push(...page.records);
    at = page.cursor;
    if (!page.more) return { records, cursor: at };
  }
}
