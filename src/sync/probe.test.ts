import { describe, expect, it } from 'vitest';
import { HEALTH_PATH, isProbeReply, isProbeRequest, probeServer } from './probe.ts';
import { createFakeTimers } from './testing/fake-timers.ts';
import { testClock } from '../data/testing.ts';

describe('probe (DG2)', () => {
  it('DG2: fetches /api/health with no-store and reports ok, another status, or a network error with the time taken', async () => {
    const clock = testClock(0);
    const seen: Array<[string, RequestInit]> = [];
    const answer = (status: number) => async (url: string, init: RequestInit) => {
      seen.push([url, init]);
      clock.t += 12;
      return new Response('{}', { status });
    };
    expect(await probeServer({ fetch: answer(200), now: clock.now })).toEqual({ kind: 'ok', status: 200, ms: 12 });
    expect(seen[0]?.[0]).toBe(HEALTH_PATH);
    expect(seen[0]?.[1].cache).toBe('no-store');
    expect(await probeServer({ fetch: answer(502), now: clock.now })).toEqual({ kind: 'http', status: 502, ms: 12 });
    const failing = async (): Promise<Response> => {
      clock.t += 3;
      throw new TypeError('Failed to fetch');
    };
    expect(await probeServer({ fetch: failing, now: clock.now })).toEqual({ kind: 'network', error: 'Failed to fetch', ms: 3 });
  });

  it('DG2: an answer that never comes is a timeout', async () => {
    const clock = testClock(0);
    const timers = createFakeTimers(clock);
    const probe = probeServer({ fetch: () => new Promise<Response>(() => undefined), now: clock.now, timers, timeoutMs: 8_000 });
    await Promise.resolve();
    expect(timers.runNext()).toBe(true);
    expect(await probe).toEqual({ kind: 'timeout', ms: 8_000 });
  });

  it('DG2: recognises the PROBE request and its reply', () => {
    expect(isProbeRequest({ type: 'PROBE' })).toBe(true);
    expect(isProbeRequest({ type: 'SKIP_WAITING' })).toBe(false);
    expect(isProbeReply({ type: 'PROBE_RESULT', version: 'v', result: { kind: 'ok', status: 200, ms: 1 } })).toBe(true);
    expect(isProbeReply({ type: 'PROBE_RESULT', version: 1, result: {} })).toBe(false);
  });
});
