import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BACKOFF_BASE_MS, BACKOFF_CAP_MS, backoffDelay, parseRetryAfter } from './backoff.ts';

describe('backoff (SY4)', () => {
  it('SY4: full jitter grows from 1 s and never exceeds 5 minutes', () => {
    expect(backoffDelay(1, () => 0.999999)).toBeLessThan(BACKOFF_BASE_MS);
    expect(backoffDelay(1, () => 0.5)).toBe(500);
    expect(backoffDelay(3, () => 0.5)).toBe(2_000);
    expect(backoffDelay(50, () => 0.999999)).toBeLessThan(BACKOFF_CAP_MS);
    expect(backoffDelay(50, () => 0.999999)).toBeGreaterThan(BACKOFF_CAP_MS - 1_000);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.double({ min: 0, max: 1, noNaN: true }), (failures, r) => {
        const delay = backoffDelay(failures, () => r);
        return delay >= 0 && delay <= BACKOFF_CAP_MS && Number.isInteger(delay);
      }),
    );
  });

  it('SY4: Retry-After is read as seconds or an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
