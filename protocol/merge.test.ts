import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Change } from './changes.ts';
import { toRecord } from './entities.ts';
import { applyChange, rebase, type EntityState } from './merge.ts';
import { makeChange } from './test-helpers.ts';

function must(r: ReturnType<typeof applyChange>): EntityState {
  if (r.kind === 'refused') throw new Error(`refused: ${r.code}`);
  return r.state;
}

const job = (over: Partial<Change>) => makeChange({ entity: 'job', entityId: 'job-1', ...over });
const created = must(
  applyChange(null, job({ op: 'create', fields: { title: 'Fix pump', scheduledFor: '2026-11-23', status: 'scheduled' }, hlc: '1700000000000-0000-mgr', deviceId: 'mgr' })),
);

describe('merge rules (CF1–CF7)', () => {
  it('CF7: a create starts at version 1 and each applied change increments it', () => {
    expect(created.version).toBe(1);
    const next = must(applyChange(created, job({ fields: { site: 'Dock 4' }, baseVersion: 1, hlc: '1700000000001-0000-dev-a' })));
    expect(next.version).toBe(2);
    expect(next.fields.site).toBe('Dock 4');
  });

  it('CF1: the later stamp wins per field; an older edit is reported superseded', () => {
    const newer = must(applyChange(created, job({ fields: { title: 'New title' }, hlc: '1700000000500-0000-dev-b', deviceId: 'dev-b' })));
    const late = applyChange(newer, job({ fields: { title: 'Old title', site: 'Dock 9' }, hlc: '1700000000100-0000-dev-a' }));
    expect(late.kind).toBe('applied');
    if (late.kind !== 'applied') return;
    expect(late.superseded).toEqual(['title']);
    expect(late.state.fields.title).toBe('New title');
    expect(late.state.fields.site).toBe('Dock 9');
  });

  it('CF2: checklist items merge per item', () => {
    const base = must(applyChange(null, makeChange({ entity: 'report', entityId: 'job-1', op: 'create', fields: { jobId: 'job-1' } })));
    const a = makeChange({ entity: 'report', entityId: 'job-1', fields: { 'checklist.a': { label: 'A', done: true } }, hlc: '1700000000010-0000-dev-a' });
    const b = makeChange({ entity: 'report', entityId: 'job-1', fields: { 'checklist.b': { label: 'B', done: false } }, hlc: '1700000000005-0000-dev-b', deviceId: 'dev-b' });
    const ab = must(applyChange(must(applyChange(base, a)), b));
    const ba = must(applyChange(must(applyChange(base, b)), a));
    expect(toRecord('report', 'job-1', 0, false, ab.fields).checklist).toEqual({ a: { label: 'A', done: true }, b: { label: 'B', done: false } });
    expect(ab.fields).toEqual(ba.fields);
  });

  it('CF3: punches are append-only', () => {
    const fields = { userId: 'u', kind: 'clock_in', at: 1, recordedAt: 1, elapsedMs: 0, bootId: 'b', location: null, flags: ['no_location'], correctionReason: null };
    const p = must(applyChange(null, makeChange({ entity: 'punch', entityId: 'p1', op: 'create', fields })));
    const edit = applyChange(p, makeChange({ entity: 'punch', entityId: 'p1', fields: { kind: 'clock_out' } }));
    expect(edit).toMatchObject({ kind: 'refused', code: 'append_only' });
    const again = applyChange(p, makeChange({ entity: 'punch', entityId: 'p1', op: 'create', fields }));
    expect(again).toMatchObject({ kind: 'refused', code: 'already_exists' });
  });

  it('CF4: a concurrent status change by another device becomes a conflict; other fields still apply', () => {
    const cancelled = must(applyChange(created, job({ fields: { status: 'cancelled' }, baseVersion: 1, hlc: '1700000000200-0000-mgr', deviceId: 'mgr' })));
    const done = applyChange(cancelled, job({ fields: { status: 'done', details: 'Replaced seal' }, baseVersion: 1, hlc: '1700000000300-0000-dev-a' }));
    expect(done.kind).toBe('conflict');
    if (done.kind !== 'conflict') return;
    expect(done.fields).toEqual([{ field: 'status', serverValue: 'cancelled', clientValue: 'done' }]);
    expect(done.state.fields.status).toBe('cancelled');
    expect(done.state.fields.details).toBe('Replaced seal');
  });

  it('CF4: no conflict when the edit was made on the latest version, or the device overrides itself', () => {
    const started = must(applyChange(created, job({ fields: { status: 'in_progress' }, baseVersion: 1, hlc: '1700000000200-0000-dev-a' })));
    expect(applyChange(started, job({ fields: { status: 'done' }, baseVersion: 1, hlc: '1700000000300-0000-dev-a' })).kind).toBe('applied');
    expect(applyChange(started, job({ fields: { status: 'done' }, baseVersion: 2, hlc: '1700000000300-0000-dev-b', deviceId: 'dev-b' })).kind).toBe('applied');
  });

  it('CF5: a deleted entity refuses edits; an update to a missing one is not_found', () => {
    const gone = must(applyChange(created, job({ op: 'delete', fields: {}, baseVersion: 1, hlc: '1700000000900-0000-mgr', deviceId: 'mgr' })));
    expect(gone.deleted).toBe(true);
    expect(applyChange(gone, job({ fields: { title: 'x' } }))).toMatchObject({ kind: 'refused', code: 'deleted' });
    expect(applyChange(null, job({ fields: { title: 'x' } }))).toMatchObject({ kind: 'refused', code: 'not_found' });
  });

  it('RC2: rebase replays own changes on top and skips ones that would be refused', () => {
    const mine = [job({ fields: { site: 'Gate 2' }, hlc: '1700000000400-0000-dev-a' }), makeChange({ entity: 'job', entityId: 'job-1', op: 'delete', fields: {}, hlc: '1700000000401-0000-dev-a' })];
    const shown = rebase(created, mine.slice(0, 1));
    expect(shown?.fields.site).toBe('Gate 2');
    expect(rebase(null, mine.slice(0, 1))).toBeNull();
  });

  it('CF1: with last-writer fields only, any delivery order gives the same state', () => {
    const keys = ['title', 'site', 'details'] as const;
    const edit = fc.record({ key: fc.constantFrom(...keys), value: fc.string({ minLength: 1, maxLength: 8 }), t: fc.integer({ min: 1, max: 1e6 }), dev: fc.constantFrom('a', 'b', 'c') });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 12 }), fc.infiniteStream(fc.nat()), (edits, stream) => {
        const changes = edits.map((e, i) =>
          job({ fields: { [e.key]: e.value }, hlc: `${String(1_700_000_000_000 + e.t).padStart(13, '0')}-${String(i).padStart(4, '0')}-${e.dev}`, deviceId: e.dev }),
        );
        const shuffled = [...changes];
        const it = stream[Symbol.iterator]();
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = (it.next().value as number) % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j] as Change, shuffled[i] as Change];
        }
        const inOrder = changes.reduce<EntityState>((s, c) => must(applyChange(s, c)), created);
        const anyOrder = shuffled.reduce<EntityState>((s, c) => must(applyChange(s, c)), created);
        expect(anyOrder.fields).toEqual(inOrder.fields);
      }),
    );
  });
});
