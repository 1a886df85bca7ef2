import { describe, expect, it } from 'vitest';
import { priorityWindow } from './priority.ts';

const at = (y: number, m: number, d: number, h = 12) => new Date(y, m - 1, d, h).getTime();

describe('PL5: the priority window is the device’s own week, with tomorrow always in it', () => {
  it('a weekday: Monday to Sunday of that week', () => {
    expect(priorityWindow(at(2026, 11, 25))).toEqual({ from: '2026-11-23', to: '2026-11-29' });
    expect(priorityWindow(at(2026, 11, 23, 0))).toEqual({ from: '2026-11-23', to: '2026-11-29' });
  });
  it('a Sunday reaches to Monday, which the Today screen shows as tomorrow', () => {
    expect(priorityWindow(at(2026, 11, 29, 23))).toEqual({ from: '2026-11-23', to: '2026-11-30' });
  });
  it('across a month and a year', () => {
    expect(priorityWindow(at(2026, 12, 31))).toEqual({ from: '2026-12-28', to: '2027-01-03' });
  });
});
