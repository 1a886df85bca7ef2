import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../testing/app-fixtures.ts';
import { push, startTestServer } from '../testing/app-fixtures.ts';
import { jobCreate, punchCreate, raw } from '../testing/fixtures.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.app.close();
  await t.storage.close();
});

/** The value of one sample in Prometheus text, e.g. `outpost_changes_total{outcome="applied"}`. */
async function sample(name: string): Promise<number | undefined> {
  const res = await t.app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/text\/plain/);
  const line = res.body.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('TM1: server telemetry at /metrics', () => {
  it('counts pushed changes by outcome, refusals by code, and conflicts by field', async () => {
    const job = jobCreate('job-m1', t.actor.wes.userId);
    const mine = punchCreate(t.actor.wes.userId);
    const notMine = punchCreate(t.actor.ana.userId);
    expect((await push(t.app, t.cookie.maria, [job])).statusCode).toBe(200);
    expect((await push(t.app, t.cookie.wes, [mine, notMine])).statusCode).toBe(200);
    expect((await push(t.app, t.cookie.wes, [mine])).statusCode).toBe(200); // a resend: duplicate
    // CF4: Maria cancels, Wes (on the old version) finishes → conflict on status.
    await push(t.app, t.cookie.maria, [raw({ entity: 'job', entityId: 'job-m1', fields: { status: 'cancelled' }, baseVersion: 1, deviceId: 'maria-dev' })]);
    await push(t.app, t.cookie.wes, [raw({ entity: 'job', entityId: 'job-m1', fields: { status: 'done' }, baseVersion: 1, deviceId: 'wes-dev' })]);

    expect(await sample('outpost_changes_total{outcome="applied"}')).toBe(3);
    expect(await sample('outpost_changes_total{outcome="duplicate"}')).toBe(1);
    expect(await sample('outpost_changes_total{outcome="refused"}')).toBe(1);
    expect(await sample('outpost_changes_total{outcome="conflict"}')).toBe(1);
    expect(await sample('outpost_refusals_total{code="forbidden"}')).toBe(1);
    expect(await sample('outpost_conflicts_total{field="status"}')).toBe(1);
    expect(await sample('outpost_push_batch_changes_count')).toBe(5);
  });

  it('measures request latency by route pattern, not by raw URL', async () => {
    await t.app.inject({ method: 'GET', url: '/api/sync/pull?cursor=0&limit=5', headers: { cookie: t.cookie.wes } });
    await t.app.inject({ method: 'GET', url: '/api/sync/pull?cursor=1&limit=5', headers: { cookie: t.cookie.wes } });
    const count = await sample('outpost_http_request_duration_seconds_count{route="/api/sync/pull",method="GET"}');
    expect(count).toBeGreaterThanOrEqual(2);
    expect(await sample('outpost_http_requests_total{route="/api/sync/pull",method="GET",status="200"}')).toBeGreaterThanOrEqual(2);
  });

  it('shows each device lagging behind by the changes committed since its last pull', async () => {
    // Wes's device is known by its pushes (deviceId dev-a in the fixtures); it pulls everything, then Maria pushes two more.
    await push(t.app, t.cookie.wes, [punchCreate(t.actor.wes.userId)]);
    let cursor = '0';
    for (;;) {
      const res = await t.app.inject({ method: 'GET', url: `/api/sync/pull?cursor=${cursor}&limit=1000`, headers: { cookie: t.cookie.wes } });
      const body = res.json() as { cursor: string; more: boolean };
      cursor = body.cursor;
      if (!body.more) break;
    }
    const before = await sample('outpost_device_lag_changes{device="dev-a"}');
    await push(t.app, t.cookie.maria, [jobCreate('job-m2', t.actor.ana.userId), jobCreate('job-m3', t.actor.ana.userId)]);
    const after = await sample('outpost_device_lag_changes{device="dev-a"}');
    expect(before).toBeDefined();
    expect((after ?? 0) - (before ?? 0)).toBe(2);
    expect(await sample('outpost_device_last_sync_age_seconds{device="dev-a"}')).toBeGreaterThanOrEqual(0);
  });

  it('counts open live-channel streams', async () => {
    expect(await sample('outpost_live_connections')).toBe(0);
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const abort = new AbortController();
    const res = await fetch(`${address}/api/sync/live`, { headers: { cookie: t.cookie.wes }, signal: abort.signal });
    const reader = res.body?.getReader();
    await reader?.read(); // the hello event: the stream is registered
    expect(await sample('outpost_live_connections')).toBe(1);
    abort.abort();
    await reader?.cancel().catch(() => undefined);
  });
});
