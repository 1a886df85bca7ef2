/**
 * The shift as derived from a person's punches (append-only, CF3). Pure, tested in Node.
 */
import type { PunchKind, PunchRecord } from '../../protocol/index.ts';

export type ShiftState = 'off' | 'on' | 'break';

/** The state after the punches, taken in time order (`at`, then recording order). */
export function shiftState(punches: readonly Pick<PunchRecord, 'kind' | 'at' | 'recordedAt' | 'deleted'>[]): ShiftState {
  const ordered = punches.filter((p) => !p.deleted).sort((a, b) => a.at - b.at || a.recordedAt - b.recordedAt);
  let state: ShiftState = 'off';
  for (const punch of ordered) state = AFTER[punch.kind];
  return state;
}

const AFTER: Record<PunchKind, ShiftState> = { clock_in: 'on', break_end: 'on', break_start: 'break', clock_out: 'off' };

/** The punches a person can make next, in the order the buttons show. */
export function nextPunches(state: ShiftState): PunchKind[] {
  switch (state) {
    case 'off':
      return ['clock_in'];
    case 'on':
      return ['break_start', 'clock_out'];
    case 'break':
      return ['break_end', 'clock_out'];
  }
}

export const PUNCH_LABEL: Record<PunchKind, string> = {
  clock_in: 'Clock in',
  break_start: 'Start break',
  break_end: 'End break',
  clock_out: 'Clock out',
};

export const PUNCH_DONE: Record<PunchKind, string> = {
  clock_in: 'Clocked in',
  break_start: 'Break started',
  break_end: 'Break ended',
  clock_out: 'Clocked out',
};

export const SHIFT_LABEL: Record<ShiftState, string> = { off: 'Off shift', on: 'On shift', break: 'On break' };

/** Local midnight of the day `now` falls in, and of the next day. */
export function dayBounds(now: number): { start: number; end: number } {
  const d = new Date(now);
  const start = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const end = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
  return { start, end };
}

/** YYYY-MM-DD of the local day `days` after `now` (jobs are scheduled by local date). */
export function localDate(now: number, days = 0): string {
  const d = new Date(now);
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** `datetime-local` input value (local time, minutes) for an epoch ms, and back. */
export function toDateTimeLocal(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromDateTimeLocal(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  const ms = new Date(y, mo - 1, d, h, mi).getTime();
  return Number.isFinite(ms) ? ms : null;
}

export interface CorrectionCheck {
  readonly at: number | null;
  readonly timeError: string | null;
  readonly reasonError: string | null;
}

/** Validate the "forgot to clock out" form: a real time, not in the future, after the clock-in; a reason. */
export function checkCorrection(value: string, reason: string, now: number, clockedInAt: number | null): CorrectionCheck {
  let at = fromDateTimeLocal(value);
  let timeError: string | null = null;
  // The form has minutes only: a stop in the same minute as the clock-in is taken as just after it.
  if (at !== null && clockedInAt !== null && at < clockedInAt && at >= clockedInAt - (clockedInAt % 60_000)) at = clockedInAt + 1;
  if (at === null) timeError = 'Enter the time you stopped work.';
  else if (at > now) timeError = 'The time you stopped can’t be in the future.';
  else if (clockedInAt !== null && at < clockedInAt) timeError = 'The time you stopped must be after you clocked in.';
  const reasonError = reason.trim() === '' ? 'Say why the clock-out is late, for your manager.' : null;
  return { at, timeError, reasonError };
}
