/**
 * Words for a refused or conflicting change (OB7): what it was about, what was attempted, and the
 * server's reason. Pure, tested in Node.
 */
import type { OutboxRow } from '../data/index.ts';
import type { JobStatus } from '../../protocol/index.ts';

const STATUS: Record<JobStatus, string> = { scheduled: 'Scheduled', in_progress: 'In progress', done: 'Done', cancelled: 'Cancelled' };
const PUNCH: Record<string, string> = { clock_in: 'Clock in', clock_out: 'Clock out', break_start: 'Start break', break_end: 'End break' };
const JOB_FIELD: Record<string, string> = {
  title: 'title',
  site: 'site',
  details: 'details',
  scheduledFor: 'date',
  assigneeId: 'assignee',
  status: 'status',
};

export interface AttentionItem {
  readonly changeId: string;
  readonly kind: 'refused' | 'conflict';
  /** "Job “Boiler service”", "Report of “Boiler service”", "Punch". */
  readonly subject: string;
  /** What the person tried: "Set the status to “In progress”". */
  readonly attempted: readonly string[];
  /** The server's reason, as it sent it. */
  readonly reason: string;
  readonly at: number;
  /** The job to open, when the change is about one. */
  readonly jobId: string | null;
}

function quote(s: string): string {
  return `“${s}”`;
}

function describeValue(value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value) ?? 'nothing';
  return quote(value.length > 60 ? `${value.slice(0, 57)}…` : value);
}

function statusText(value: unknown): string {
  return typeof value === 'string' && value in STATUS ? quote(STATUS[value as JobStatus]) : describeValue(value);
}

export function describeFields(row: Pick<OutboxRow, 'entity' | 'op' | 'fields'>, at: (ms: number) => string): string[] {
  const f = row.fields;
  if (row.entity === 'punch') {
    const when = typeof f.at === 'number' ? ` at ${at(f.at)}` : '';
    const kind = typeof f.kind === 'string' ? (PUNCH[f.kind] ?? f.kind) : 'Punch';
    return [`${kind}${when}${typeof f.correctionReason === 'string' ? ` (correction: ${f.correctionReason})` : ''}`];
  }
  if (row.op === 'delete') return ['Remove it'];
  const out: string[] = [];
  for (const [key, value] of Object.entries(f)) {
    if (row.entity === 'job') {
      out.push(key === 'status' ? `Set the status to ${statusText(value)}` : `Change the ${JOB_FIELD[key] ?? key} to ${describeValue(value)}`);
    } else if (key === 'notes') {
      out.push(`Change the notes to ${describeValue(value)}`);
    } else if (key.startsWith('checklist.')) {
      const item = value as { label?: string; done?: boolean } | null;
      out.push(item === null ? 'Remove a checklist item' : `Checklist: ${quote(item.label ?? '')} ${item.done ? 'done' : 'not done'}`);
    } else if (key.startsWith('measurements.')) {
      const m = value as { label?: string; value?: number; unit?: string } | null;
      out.push(m === null ? 'Remove a measurement' : `Measurement: ${quote(m.label ?? '')} ${m.value ?? ''} ${m.unit ?? ''}`.trim());
    }
  }
  return out;
}

export function describeRow(row: OutboxRow, jobTitle: string | null, at: (ms: number) => string): AttentionItem {
  // A job that left this device (reassigned away, PL4, or removed) has no title here any more.
  const title = jobTitle === null ? ' (no longer on this device)' : ` ${quote(jobTitle)}`;
  const subject = row.entity === 'job' ? `Job${title}` : row.entity === 'report' ? `Report of job${title}` : 'Punch';
  const receipt = row.receipt;
  const reason = receipt && receipt.status !== 'applied' ? receipt.reason : (row.lastError ?? 'The server did not take this change.');
  return {
    changeId: row.changeId,
    kind: row.state === 'conflict' ? 'conflict' : 'refused',
    subject,
    attempted: describeFields(row, at),
    reason,
    at: row.createdAt,
    // Only a job still on this device can be opened (PL4: a reassigned job has left it).
    jobId: row.entity === 'punch' || jobTitle === null ? null : row.entityId,
  };
}
