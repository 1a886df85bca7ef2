import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushResponseSchema } from '../protocol/index.ts';
import type { TestServer } from './testing/app-fixtures.ts';
import { push, startTestServer } from './testing/app-fixtures.ts';
import { jobCreate, punchCreate, raw, reportCreate } from './testing/fixtures.ts';

let t: TestServer;
let wesJob: string;
beforeAll(async () => {
  t = await startTestServer();
  wesJob = 'job-of-wes';
  await push(t.app, t.cookie.maria, [jobCreate(wesJob, t.actor.wes.userId)]);
});
afterAll(async () => {
  await t.app.close();
  await t.storage.close();
});

/** One element of a push: valid or not, allowed or not, for either person. */
const changeArb = fc
  .tuple(
    fc.uuid({ version: 4 }),
    fc.constantFrom('job-create', 'status', 'title', 'punch-own', 'punch-other', 'report', 'delete', 'garbage', 'bad-field', 'hostile-key'),
    fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null)),
    fc.string({ minLength: 1, maxLength: 12 }).map((s) => s.replace(/[^A-Za-z0-9_-]/g, '') || 'e'),
  )
  .map(([id, kind, value, entityId]) => {
    const wes = t.actor.wes.userId;
    const ana = t.actor.ana.userId;
    switch (kind) {
      case 'job-create':
        return { ...jobCreate(entityId, typeof value === 'boolean' ? wes : null), id };
      case 'status':
        return { ...raw({ entity: 'job', entityId: wesJob, fields: { status: value === null ? 'done' : value } }), id };
      case 'title':
        return { ...raw({ entity: 'job', entityId: wesJob, fields: { title: value } }), id };
      case 'punch-own':
        return { ...punchCreate(wes, entityId), id };
      case 'punch-other':
        return { ...punchCreate(ana, entityId), id };
      case 'report':
        return { ...reportCreate(wesJob, String(value)), id };
      case 'delete':
        return { ...raw({ entity: 'job', entityId: wesJob, op: 'delete' }), id };
      case 'bad-field':
        return { ...raw({ entity: 'job', entityId, fields: { [String(value)]: value } }), id };
      case 'hostile-key':
        return { ...raw({ entity: 'report', entityId: wesJob, fields: { constructor: value, 'toString.x': value } }), id };
      default:
        return { id, entity: value, fields: [value], op: 42 };
    }
  });

describe('push property (PU1, PU3, SV3)', () => {
  it('PU3/SV3: random batches from two people never get a 5xx, receipts match ids in order, and a replay is all duplicates', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(changeArb, { minLength: 1, maxLength: 25, selector: (c) => c.id }),
        fc.constantFrom<'maria' | 'wes'>('maria', 'wes'),
        async (changes, who) => {
          const first = await push(t.app, t.cookie[who], changes);
          expect(first.statusCode).toBe(200);
          const receipts = PushResponseSchema.parse(first.json()).receipts;
          expect(receipts.map((r) => r.changeId)).toEqual(changes.map((c) => c.id));
          const again = PushResponseSchema.parse((await push(t.app, t.cookie[who], changes)).json()).receipts;
          expect(again.map((r) => r.status)).toEqual(changes.map(() => 'duplicate'));
          expect(again.map((r) => (r.status === 'duplicate' ? r.original : r))).toEqual(receipts);
          const stolen = PushResponseSchema.parse((await push(t.app, t.cookie[who === 'wes' ? 'maria' : 'wes'], changes)).json()).receipts;
          expect(stolen.every((r) => r.status === 'refused' && r.code === 'id_reused')).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});
