import { describe, expect, it } from 'vitest';
import { checkCorrection, fromDateTimeLocal, localDate, nextPunches, shiftState, toDateTimeLocal } from './shift.ts';

const p = (kind: 'clock_in' | 'clock_out' | 'break_start' | 'break_end', at: number, recordedAt = at, deleted = false) => ({ kind, at, recordedAt, deleted });

describe('shift state from punches', () => {
  it('follows the punches in time order, not in the order they were recorded', () => {
    expect(shiftState([])).toBe('off');
    expect(shiftState([p('clock_in', 1)])).toBe('on');
    expect(shiftState([p('break_start', 2), p('clock_in', 1)])).toBe('break');
    expect(shiftState([p('clock_in', 1), p('break_start', 2), p('break_end', 3)])).toBe('on');
    // A forgotten clock-out recorded later, for an earlier moment, still closes the shift.
    expect(shiftState([p('clock_in', 1), p('clock_out', 5, 100)])).toBe('off');
    expect(shiftState([p('clock_in', 1), p('clock_out', 2, 2, true)])).toBe('on');
  });

  it('offers the punches that make sense next', () => {
    expect(nextPunches('off')).toEqual(['clock_in']);
    expect(nextPunches('on')).toEqual(['break_start', 'clock_out']);
    expect(nextPunches('break')).toEqual(['break_end', 'clock_out']);
  });
});

describe('the forgotten clock-out form', () => {
  const clockIn = new Date(2025, 5, 2, 8, 15, 30).getTime();
  const now = new Date(2025, 5, 2, 18, 0, 0).getTime();

  it('round-trips datetime-local values and dates', () => {
    expect(fromDateTimeLocal(toDateTimeLocal(clockIn))).toBe(new Date(2025, 5, 2, 8, 15).getTime());
    expect(fromDateTimeLocal('nonsense')).toBeNull();
    expect(localDate(clockIn)).toBe('2025-06-02');
    expect(localDate(clockIn, 1)).toBe('2025-06-03');
  });

  it('needs a reason and a time between the clock-in and now', () => {
    expect(checkCorrection('2025-06-02T16:30', '', now, clockIn)).toMatchObject({ timeError: null, reasonError: expect.any(String) });
    expect(checkCorrection('', 'late', now, clockIn).timeError).toBe('Enter the time you stopped work.');
    expect(checkCorrection('2025-06-02T19:00', 'late', now, clockIn).timeError).toMatch(/future/);
    expect(checkCorrection('2025-06-02T07:00', 'late', now, clockIn).timeError).toMatch(/after you clocked in/);
    expect(checkCorrection('2025-06-02T16:30', ' battery flat ', now, clockIn)).toEqual({
      at: new Date(2025, 5, 2, 16, 30).getTime(),
      timeError: null,
      reasonError: null,
    });
  });

  it('a stop in the clock-in minute is taken as just after the clock-in', () => {
    expect(checkCorrection('2025-06-02T08:15', 'x', now, clockIn)).toMatchObject({ at: clockIn + 1, timeError: null });
  });
});
