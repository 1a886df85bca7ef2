import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JOB_STATUSES, PUNCH_FLAGS, PUNCH_KINDS, toFields, toRecord } from './entities.ts';

const itemId = fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/);
const jobFields = fc.record(
  {
    title: fc.string({ minLength: 1 }),
    site: fc.string(),
    details: fc.string(),
    scheduledFor: fc.constantFrom('2026-11-23', '2026-11-24'),
    assigneeId: fc.option(fc.uuid(), { nil: null }),
    status: fc.constantFrom(...JOB_STATUSES),
  },
  { requiredKeys: [] },
);
const reportFields = fc
  .tuple(
    fc.record({ jobId: fc.uuid(), notes: fc.string() }, { requiredKeys: [] }),
    fc.dictionary(itemId, fc.option(fc.record({ label: fc.string({ minLength: 1 }), done: fc.boolean() }), { nil: null })),
    fc.dictionary(itemId, fc.option(fc.record({ label: fc.string({ minLength: 1 }), value: fc.double({ noNaN: true, noDefaultInfinity: true }), unit: fc.string() }), { nil: null })),
  )
  .map(([plain, checklist, measurements]) => ({
    ...plain,
    ...Object.fromEntries(Object.entries(checklist).map(([k, v]) => [`checklist.${k}`, v])),
    ...Object.fromEntries(Object.entries(measurements).map(([k, v]) => [`measurements.${k}`, v])),
  }));
const punchFields = fc.record({
  userId: fc.uuid(),
  kind: fc.constantFrom(...PUNCH_KINDS),
  at: fc.nat(),
  recordedAt: fc.nat(),
  elapsedMs: fc.nat(),
  bootId: fc.uuid(),
  location: fc.option(fc.record({ lat: fc.double({ min: -90, max: 90, noNaN: true }), lng: fc.double({ min: -180, max: 180, noNaN: true }), accuracyM: fc.nat() }), { nil: null }),
  flags: fc.subarray([...PUNCH_FLAGS]),
  correctionReason: fc.option(fc.string({ minLength: 1 }), { nil: null }),
});

describe('toFields (RC4: a visible record is enough to rebuild the base it shows)', () => {
  it.each([
    ['job', jobFields],
    ['report', reportFields],
    ['punch', punchFields],
  ] as const)('%s: toRecord(toFields(record)) is the same record, for any fields', (entity, fields) => {
    fc.assert(
      fc.property(fields, fc.integer({ min: 1, max: 1000 }), fc.boolean(), (f, version, deleted) => {
        const record = toRecord(entity, 'e1', version, deleted, f as Record<string, unknown>);
        expect(toRecord(entity, 'e1', version, deleted, toFields(entity, record))).toEqual(record);
      }),
    );
  });
});
