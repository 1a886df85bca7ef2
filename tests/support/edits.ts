/**
 * Random local edits for the seeded model tests (STYLE 8), through the real write functions: what a
 * manager or a worker can do to a job, its report and their punches. Each seeded step picks the kind
 * and the value; the caller decides what happens around the write.
 */
import type { JobStatus } from '../../protocol/index.ts';
import type { OutpostDb } from '../../src/data/db.ts';
import * as write from '../../src/data/write.ts';
import type { DataContext, WriteResult } from '../../src/data/write.ts';

/** The `pick`-th job the device shows (ordered by id), if it shows any. */
export async function pickJob(db: OutpostDb, pick: number): Promise<string | undefined> {
  const jobs = (await db.jobs.toArray()).filter((j) => !j.deleted).sort((a, b) => a.id.localeCompare(b.id));
  return jobs.length ? jobs[pick % jobs.length]?.id : undefined;
}

export interface RandomEdit {
  /** A manager edits jobs (PL2: all of the organisation's); a worker their own jobs' status, report and punches. */
  readonly manager: boolean;
  readonly kind: number;
  readonly value: number;
  /** The job to edit (from `pickJob`); without one only a create or a punch can be made. */
  readonly jobId: string | undefined;
  /** Shown in a worker's notes, so each device's notes differ. */
  readonly deviceIndex: number;
  /** A manager's new or reassigned job goes to this person (PL2, PL4: the previous one's devices forget it). */
  readonly assignee: string | null;
}

/** One edit, or null when the kind needs a job and there is none. A ChangeRefusedError means nothing was saved. */
export async function randomWrite(ctx: DataContext, e: RandomEdit): Promise<WriteResult | null> {
  const { jobId, value: v } = e;
  if (e.manager) {
    switch (e.kind % 5) {
      case 0:
        return jobId ? write.updateJob(ctx, jobId, { title: `Job ${v}`, details: `Details ${v}` }) : null;
      case 1:
        return jobId ? write.setJobStatus(ctx, jobId, (['scheduled', 'cancelled', 'in_progress'] as const)[v % 3] as JobStatus) : null;
      case 2:
        return write.createJob(ctx, { title: `New job ${v}`, site: 'Depot', details: '', scheduledFor: '2026-11-24', assigneeId: e.assignee, status: 'scheduled' });
      case 3:
        return jobId ? write.saveReportNotes(ctx, jobId, `Manager note ${v}`) : null;
      default:
        return jobId ? write.updateJob(ctx, jobId, { assigneeId: e.assignee }) : null;
    }
  }
  switch (e.kind % 6) {
    case 0:
      return jobId ? write.setJobStatus(ctx, jobId, (['in_progress', 'done'] as const)[v % 2] as JobStatus) : null;
    case 1:
      return jobId ? write.saveReportNotes(ctx, jobId, `Notes ${e.deviceIndex}.${v}`) : null;
    case 2:
      return jobId ? write.setChecklistItem(ctx, jobId, `item${v % 3}`, v === 4 ? null : { label: `Check ${v % 3}`, done: v % 2 === 0 }) : null;
    case 3:
      return jobId ? write.setMeasurement(ctx, jobId, `m${v % 2}`, { label: 'Pressure', value: v * 1.5, unit: 'bar' }) : null;
    default:
      return write.recordPunch(ctx, {
        kind: (['clock_in', 'break_start', 'break_end', 'clock_out'] as const)[v % 4] ?? 'clock_in',
        location: v % 2 === 0 ? { lat: 52.37, lng: 4.89, accuracyM: 8 + v } : null,
      });
  }
}
