import { randomUUID } from 'node:crypto';
import type { HlcState, Role } from '../protocol/index.ts';
import { PAYLOAD_VERSION, formatHlc, initialHlc, tickHlc } from '../protocol/index.ts';
import { hashPassword } from './auth/password.ts';
import type { ServerStorage } from './storage/types.ts';
import { prepareChanges } from './sync/prepare.ts';

export interface DemoSignIn {
  readonly name: string;
  readonly role: Role;
  readonly email: string;
  readonly password: string;
}

export interface DemoSeed {
  readonly orgName: string;
  readonly signIns: readonly DemoSignIn[];
  readonly jobIds: readonly string[];
}

export const DEMO_ORG = 'Demo Field Services';
export const DEMO_SIGN_INS: readonly DemoSignIn[] = [
  { name: 'Maria', role: 'manager', email: 'maria@demo.outpost', password: 'demo-manager' },
  { name: 'Wes', role: 'worker', email: 'wes@demo.outpost', password: 'demo-worker' },
  { name: 'Ana', role: 'worker', email: 'ana@demo.outpost', password: 'demo-worker' },
];

const JOBS = [
  { title: 'Boiler service', site: '12 Harbour Road', details: 'Annual service; check pressure and flue.' },
  { title: 'Replace smoke alarms', site: 'Riverside Library', details: 'Three ceiling units on the ground floor.' },
  { title: 'Leaking tap', site: '4 Mill Lane, flat 2', details: 'Kitchen mixer tap drips; customer home after 10:00.' },
  { title: 'Heat pump inspection', site: 'Greenfield School', details: 'Quarterly inspection; sign the logbook.' },
  { title: 'Radiator install', site: '88 Station Street', details: 'Two new radiators in the extension.' },
  { title: 'Gutter clearing', site: 'Oak Court community hall', details: 'Bring the long ladder.' },
];

/** YYYY-MM-DD of the local calendar day `days` after `now`. */
function localDate(now: number, days: number): string {
  const d = new Date(now);
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * Create the demo organisation, only when there are no users yet. Its jobs go
 * through the same applyBatch path as a manager's changes, so they carry
 * versions, clocks and change-log rows. Returns null when nothing was seeded.
 */
export async function seedDemo(storage: ServerStorage, now: number = Date.now()): Promise<DemoSeed | null> {
  if ((await storage.countUsers()) > 0) return null;
  const org = await storage.createOrg({ name: DEMO_ORG });
  const users = [];
  for (const s of DEMO_SIGN_INS) {
    users.push(await storage.createUser({ orgId: org.id, email: s.email, name: s.name, role: s.role, passwordHash: await hashPassword(s.password) }));
  }
  const [maria, wes, ana] = users;
  if (!maria || !wes || !ana) throw new Error('demo users were not created');

  let clock: HlcState = initialHlc('seed');
  const jobIds: string[] = [];
  const raws = JOBS.map((job, i) => {
    clock = tickHlc(clock, now);
    const entityId = randomUUID();
    jobIds.push(entityId);
    return {
      id: randomUUID(),
      deviceId: 'server-seed',
      entity: 'job',
      entityId,
      op: 'create',
      fields: {
        ...job,
        scheduledFor: localDate(now, i < 3 ? 0 : 1),
        assigneeId: i % 2 === 0 ? wes.id : ana.id,
        status: 'scheduled',
      },
      hlc: formatHlc(clock),
      baseVersion: 0,
      payloadVersion: PAYLOAD_VERSION,
    };
  });
  const result = await storage.applyBatch({ userId: maria.id, orgId: org.id, role: maria.role }, prepareChanges(raws));
  const failed = result.receipts.find((r) => r.status !== 'applied');
  if (failed) throw new Error(`demo job was not applied: ${JSON.stringify(failed)}`);
  return { orgName: org.name, signIns: DEMO_SIGN_INS, jobIds };
}
