import { describe, expect, it } from 'vitest';
import type { OutboxRow } from '../data/index.ts';
import { describeRow } from './attention.ts';

const row = (patch: Partial<OutboxRow>): OutboxRow =>
  ({
    seq: 1,
    changeId: '00000000-0000-4000-8000-000000000001',
    deviceId: 'd',
    entity: 'job',
    entityId: 'job-1',
    op: 'update',
    fields: {},
    hlc: '1700000000000-0000-d',
    baseVersion: 1,
    payloadVersion: 1,
    state: 'refused',
    attempts: 1,
    lastError: null,
    createdAt: 5,
    updatedAt: 5,
    receipt: null,
    ...patch,
  }) as OutboxRow;

const at = () => '08:00';

describe('needs-attention wording (OB7)', () => {
  it('a refused status change names the job, the attempt and the server reason', () => {
    const item = describeRow(
      row({
        fields: { status: 'in_progress' },
        receipt: { changeId: row({}).changeId, status: 'refused', code: 'forbidden', reason: 'This job is not assigned to you.' },
      }),
      'Boiler service',
      at,
    );
    expect(item).toMatchObject({
      kind: 'refused',
      subject: 'Job “Boiler service”',
      attempted: ['Set the status to “In progress”'],
      reason: 'This job is not assigned to you.',
      jobId: 'job-1',
    });
  });

  it('describes report items and punches', () => {
    const report = describeRow(
      row({
        entity: 'report',
        state: 'conflict',
        fields: { notes: 'hi', 'checklist.a': { label: 'Flue', done: true }, 'measurements.b': null },
        lastError: 'conflict',
      }),
      null,
      at,
    );
    expect(report.subject).toBe('Report of job (no longer on this device)');
    expect(report.jobId).toBeNull(); // nothing to open: the job left this device
    expect(report.kind).toBe('conflict');
    expect(report.attempted).toEqual(['Change the notes to “hi”', 'Checklist: “Flue” done', 'Remove a measurement']);
    const punch = describeRow(row({ entity: 'punch', op: 'create', fields: { kind: 'clock_out', at: 1, correctionReason: 'late' } }), null, at);
    expect(punch).toMatchObject({ subject: 'Punch', attempted: ['Clock out at 08:00 (correction: late)'], jobId: null });
  });
});
