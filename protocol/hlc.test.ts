import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareHlc, formatHlc, initialHlc, parseHlc, receiveHlc, tickHlc } from './hlc.ts';

describe('hybrid logical clock (SY6, CF1)', () => {
  it('formats and parses stamps losslessly', () => {
    const s = { wallMs: 1_764_000_000_123, counter: 42, node: 'dev-1' };
    expect(parseHlc(formatHlc(s))).toEqual(s);
    expect(() => parseHlc('yesterday')).toThrow(/not an HLC stamp/);
  });

  it('SY6: local ticks are strictly increasing even when the wall clock goes back', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2_000_000_000_000 }), { minLength: 1, maxLength: 200 }), (walls) => {
        let state = initialHlc('a');
        let last = '';
        for (const w of walls) {
          state = tickHlc(state, w);
          const stamp = formatHlc(state);
          expect(compareHlc(stamp, last)).toBe(1);
          last = stamp;
        }
      }),
    );
  });

  it('SY6: after receiving a stamp, the next local stamp orders after it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000_000_000_000 }),
        fc.integer({ min: 0, max: 2_000_000_000_000 }),
        fc.integer({ min: 0, max: 9000 }),
        (local, remoteWall, remoteCounter) => {
          const remote = formatHlc({ wallMs: remoteWall, counter: remoteCounter, node: 'zz' });
          const state = receiveHlc(tickHlc(initialHlc('a'), local), remote, local);
          expect(compareHlc(formatHlc(tickHlc(state, local)), remote)).toBe(1);
        },
      ),
    );
  });

  it('CF1: equal wall time and counter are ordered by node id, so the order is total', () => {
    const a = formatHlc({ wallMs: 5, counter: 1, node: 'a' });
    const b = formatHlc({ wallMs: 5, counter: 1, node: 'b' });
    expect(compareHlc(a, b)).toBe(-1);
    expect(compareHlc(b, a)).toBe(1);
  });

  it('carries the counter into the next millisecond instead of overflowing its width', () => {
    let state = { wallMs: 10, counter: 9999, node: 'a' };
    state = tickHlc(state, 10);
    expect(state).toEqual({ wallMs: 11, counter: 0, node: 'a' });
    expect(formatHlc(state)).toMatch(/^\d{13}-\d{4}-a$/);
  });
});
