import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChangeSchema, canonicalJson } from './changes.ts';
import { LIMITS } from './entities.ts';
import { PullResponseSchema } from './pull.ts';
import { PushRequestSchema, PushResponseSchema, finalReceipt } from './push.ts';
import { makeChange } from './test-helpers.ts';

const punchFields = {
  userId: 'u-wes',
  kind: 'clock_in',
  at: 1_764_000_000_000,
  recordedAt: 1_764_000_000_000,
  elapsedMs: 1234.5,
  bootId: 'boot-1',
  location: { lat: 52.1, lng: 4.3, accuracyM: 12 },
  flags: [],
  correctionReason: null,
};

describe('protocol round trips (PU1, PL1)', () => {
  it('PU1: a change survives JSON encoding unchanged', () => {
    const change = makeChange({ entity: 'punch', entityId: 'p-1', op: 'create', fields: punchFields });
    const parsed = ChangeSchema.parse(JSON.parse(JSON.stringify(change)));
    expect(parsed).toEqual(change);
  });

  it('PU1: per-item report keys are accepted and checked against the item schema', () => {
    const ok = makeChange({
      entity: 'report',
      entityId: 'job-1',
      fields: { 'checklist.ladder': { label: 'Ladder secured', done: true }, 'measurements.v1': null },
    });
    expect(ChangeSchema.safeParse(ok).success).toBe(true);
    const bad = makeChange({ entity: 'report', entityId: 'job-1', fields: { 'checklist.ladder': { label: '', done: 'yes' } } });
    const result = ChangeSchema.safeParse(bad);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/checklist\.ladder/);
  });

  it('PU2: unknown fields, missing create fields and bad values are refused with a reason', () => {
    const cases = [
      makeChange({ entity: 'job', entityId: 'j', fields: { colour: 'red' } }),
      makeChange({ entity: 'job', entityId: 'j', fields: { ['__proto__']: 'x' } }),
      makeChange({ entity: 'job', entityId: 'j', fields: { constructor: 'x' } }),
      makeChange({ entity: 'report', entityId: 'j', fields: { 'constructor.x': null, toString: 'x' } }),
      makeChange({ entity: 'punch', entityId: 'p', op: 'create', fields: { kind: 'clock_in' } }),
      makeChange({ entity: 'job', entityId: 'j', fields: { status: 'exploded' } }),
      makeChange({ entity: 'report', entityId: 'j', fields: { 'measurements.x': { label: 'a', value: Number.NaN, unit: 'm' } } }),
      makeChange({ entity: 'job', entityId: 'j', op: 'delete', fields: { title: 'x' } }),
      makeChange({ entity: 'job', entityId: 'j', fields: {} }),
    ];
    for (const c of cases) {
      const r = ChangeSchema.safeParse(JSON.parse(JSON.stringify(c)));
      expect(r.success, JSON.stringify(c.fields)).toBe(false);
      expect(r.error?.issues[0]?.message.length).toBeGreaterThan(3);
    }
  });

  it('PU1: too many fields in one change is refused', () => {
    const fields: Record<string, unknown> = {};
    for (let i = 0; i <= LIMITS.maxFieldsPerChange; i++) fields[`checklist.i${i}`] = null;
    expect(ChangeSchema.safeParse(makeChange({ entity: 'report', entityId: 'j', fields })).success).toBe(false);
  });

  it('PU2: the push envelope checks only ids, so one bad change cannot sink a batch', () => {
    const good = makeChange({ entity: 'job', entityId: 'j', fields: { title: 'Fix pump' } });
    const env = PushRequestSchema.parse({
      protocolVersion: 1,
      deviceId: 'dev-a',
      changes: [good, { id: good.id.replace(/.$/, 'f'), entity: 'spaceship' }],
    });
    expect(env.changes).toHaveLength(2);
    expect(PushRequestSchema.safeParse({ protocolVersion: 1, deviceId: 'dev-a', changes: [{ entity: 'job' }] }).success).toBe(false);
  });

  it('PU3: canonical JSON ignores key order, so equal content hashes equally', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: 2 }));
  });

  it('PU3: canonical JSON gives the same text as the first (stored hashes stay valid)', () => {
    // The first implementation, kept as the reference: receipts store hashes of its output.
    const reference = (value: unknown): string => {
      if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
      if (Array.isArray(value)) return `[${value.map((v) => reference(v)).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
    };
    const samples: unknown[] = [
      { b: 1, a: { d: [1, { y: 2, x: 1 }], c: null }, e: undefined, 'é': 'x', Z: [undefined, null], '': 0, '10': 1, '9': 2 },
      [1, , 3], // eslint-disable-line no-sparse-arrays
      { a: [undefined, () => 1, Symbol('s')], b: -0, c: 1e21, d: '\u2028"\\', e: new Date(0), f: NaN },
      makeChange({ entity: 'punch', entityId: 'p-1', op: 'create', fields: punchFields }),
      'text',
      undefined,
    ];
    for (const sample of samples) expect(canonicalJson(sample)).toBe(reference(sample));
    fc.assert(
      fc.property(fc.anything({ withSparseArray: true, withNullPrototype: true, withObjectString: true, withBoxedValues: true }), (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
      }),
      { numRuns: 500 },
    );
  });

  it('PU3, PU5: receipts round trip and a duplicate stands for its original', () => {
    const body = {
      ok: true,
      protocolVersion: 1,
      serverHlc: '1764000000000-0000-server',
      receipts: [
        { changeId: '00000000-0000-4000-8000-000000000001', status: 'applied', version: 3, seq: 9, superseded: [] },
        {
          changeId: '00000000-0000-4000-8000-000000000002',
          status: 'duplicate',
          original: { changeId: '00000000-0000-4000-8000-000000000002', status: 'refused', code: 'forbidden', reason: 'no' },
        },
      ],
    };
    const parsed = PushResponseSchema.parse(JSON.parse(JSON.stringify(body)));
    expect(parsed).toEqual(body);
    const dup = parsed.receipts[1];
    expect(dup && finalReceipt(dup).status).toBe('refused');
    expect(PushResponseSchema.safeParse('<html>Sign in to the hotel wifi</html>').success).toBe(false);
    expect(PushResponseSchema.safeParse({ receipts: [] }).success).toBe(false);
  });

  it('PL1: pull responses round trip', () => {
    const body = {
      ok: true,
      protocolVersion: 1,
      cursor: '12',
      more: false,
      serverHlc: '1764000000000-0000-server',
      records: [
        {
          entity: 'job',
          entityId: 'j-1',
          version: 2,
          deleted: false,
          fields: { title: 'Fix pump' },
          clocks: { title: { hlc: '1764000000000-0000-dev-a', version: 2, device: 'dev-a' } },
        },
      ],
    };
    expect(PullResponseSchema.parse(JSON.parse(JSON.stringify(body)))).toEqual(body);
  });
});
