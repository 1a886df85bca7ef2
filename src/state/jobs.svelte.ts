/**
 * Jobs and their reports as the UI sees them (live queries over the visible tables), and the job and
 * report writes. Deleted records stay in the tables with `deleted: true` and are filtered out here.
 */
import type { ChecklistItem, JobRecord, JobStatus, Measurement, ReportRecord } from '../../protocol/index.ts';
import { saveReportNotes, setChecklistItem, setJobStatus, setMeasurement } from '../data/index.ts';
import { device, type DeviceScope } from './device.svelte.ts';
import { live, type Live } from './live.svelte.ts';
import { localDate } from './shift.ts';

export type { ChecklistItem, JobRecord, JobStatus, Measurement, ReportRecord };

export const STATUS_LABEL: Record<JobStatus, string> = {
  scheduled: 'Scheduled',
  in_progress: 'In progress',
  done: 'Done',
  cancelled: 'Cancelled',
};

export interface JobsOverview {
  readonly today: readonly JobRecord[];
  readonly tomorrow: readonly JobRecord[];
}

const EMPTY: JobsOverview = { today: [], tomorrow: [] };
const ORDER: Record<JobStatus, number> = { in_progress: 0, scheduled: 1, done: 2, cancelled: 3 };

/** Whether this person sees this job: a worker their own jobs, a manager the team's (PL2). */
function visibleTo(scope: DeviceScope, job: JobRecord): boolean {
  return !job.deleted && (scope.role !== 'worker' || job.assigneeId === scope.userId);
}

function byStatusThenTitle(a: JobRecord, b: JobRecord): number {
  // Titles by code point, not `localeCompare`: the first locale-aware comparison loads the locale data
  // (about 60 ms on a cold start, bench/: cold start), and the list is only grouped, not a directory.
  return ORDER[a.status] - ORDER[b.status] || (a.title < b.title ? -1 : a.title > b.title ? 1 : 0);
}

/** Today's and tomorrow's jobs. Call while a component initialises. */
export function jobsOverview(now: () => number = Date.now): Live<JobsOverview> {
  return live(
    () => device.scope,
    async (scope) => {
      const today = localDate(now());
      const tomorrow = localDate(now(), 1);
      // Two days through the `scheduledFor` index: a device holding years of jobs reads only these
      // (cold start, bench/: coldstart).
      const days = await scope.db.jobs.where('scheduledFor').anyOf([today, tomorrow]).toArray();
      const jobs = days.filter((job) => visibleTo(scope, job));
      return {
        today: jobs.filter((j) => j.scheduledFor === today).sort(byStatusThenTitle),
        tomorrow: jobs.filter((j) => j.scheduledFor === tomorrow).sort(byStatusThenTitle),
      };
    },
    EMPTY,
  );
}

/**
 * Jobs of mine on this device, removed ones included, counted on an index: "N received" while the first
 * sync runs. A query of its own, so that the Today list does not wait for a count on every start.
 */
export function jobsReceived(): Live<number> {
  return live(
    () => device.scope,
    (scope) => (scope.role === 'worker' ? scope.db.jobs.where('assigneeId').equals(scope.userId) : scope.db.jobs.toCollection()).count(),
    0,
  );
}

export interface JobDetail {
  readonly job: JobRecord | null;
  readonly report: ReportRecord | null;
}

/** One job and its report (the report's id is the job's id). */
export function jobDetail(jobId: () => string | null): Live<JobDetail> {
  return live(
    () => {
      const scope = device.scope;
      const id = jobId();
      return scope && id ? { scope, id } : null;
    },
    async ({ scope, id }) => {
      const [job, report] = await Promise.all([scope.db.jobs.get(id), scope.db.reports.get(id)]);
      return {
        job: job && visibleTo(scope, job) ? job : null,
        report: report && !report.deleted ? report : null,
      };
    },
    { job: null, report: null },
  );
}

/** Writes: each resolves only once committed on this device (OB1). */
export const jobActions = {
  setStatus: (jobId: string, status: JobStatus) => device.write((ctx) => setJobStatus(ctx, jobId, status)),
  saveNotes: (jobId: string, notes: string) => device.write((ctx) => saveReportNotes(ctx, jobId, notes)),
  setChecklistItem: (jobId: string, itemId: string, item: ChecklistItem | null) =>
    device.write((ctx) => setChecklistItem(ctx, jobId, itemId, item)),
  setMeasurement: (jobId: string, itemId: string, m: Measurement | null) => device.write((ctx) => setMeasurement(ctx, jobId, itemId, m)),
  /** An id for a new checklist item or measurement: time first, so ids sort in the order items were added. */
  newItemId: (): string => `${Date.now().toString(36).padStart(9, '0')}-${crypto.randomUUID().slice(0, 8)}`,
};
