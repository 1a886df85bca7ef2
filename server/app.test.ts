import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ErrorResponseSchema,
  HealthResponseSchema,
  LiveChangesSchema,
  PROTOCOL_VERSION,
  PriorityPullResponseSchema,
  PullResponseSchema,
  PushResponseSchema,
  SessionResponseSchema,
} from '../protocol/index.ts';
import { buildApp } from './app.ts';
import { openSqliteStorage } from './storage/sqlite.ts';
import type { TestServer } from './testing/app-fixtures.ts';
import { listenOnLoopback, openLiveStream, push, pushBody, signIn, startTestServer } from './testing/app-fixtures.ts';
import { jobCreate, punchCreate, raw, reportCreate } from './testing/fixtures.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.app.close();
  await t.storage.close();
});

const receiptsOf = (body: string) => PushResponseSchema.parse(JSON.parse(body)).receipts;
const errorOf = (body: string) => ErrorResponseSchema.parse(JSON.parse(body));

async function pullAll(cookie: string) {
  const records = [];
  let cursor = '';
  for (;;) {
    const res = await t.app.inject({ url: `/api/sync/pull?cursor=${cursor}&limit=100`, headers: { cookie } });
    expect(res.statusCode).toBe(200);
    const page = PullResponseSchema.parse(res.json());
    records.push(...page.records);
    cursor = page.cursor;
    if (!page.more) return records;
  }
}


/** POST /api/sync/push over a real socket; the push must be answered 200. Returns its receipts. */
async function sendPush(base: string, cookie: string, changes: readonly unknown[]) {
  const res = await fetch(`${base}/api/sync/push`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json', 'x-outpost-protocol': String(PROTOCOL_VERSION) },
    body: JSON.stringify(pushBody(changes)),
  });
  expect(res.status).toBe(200);
  return receiptsOf(await res.text());
}

describe('health', () => {
  it('answers with the protocol range and storage kind', async () => {
    const res = await t.app.inject({ url: '/api/health' });
    expect(HealthResponseSchema.parse(res.json())).toEqual({ ok: true, protocolVersion: PROTOCOL_VERSION, minProtocolVersion: 1, storage: 'sqlite' });
  });
});

describe('sign-in and sessions (AU1, AU2)', () => {
  it('AU1: sign-in sets an HttpOnly, SameSite=Strict, Path=/ cookie (not Secure over http) and answers the user', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { email: 'WES@test.outpost', password: 'correct horse' } });
    expect(res.statusCode).toBe(200);
    expect(SessionResponseSchema.parse(res.json()).user).toMatchObject({ id: t.actor.wes.userId, role: 'worker' });
    const header = String(res.headers['set-cookie']);
    expect(header).toMatch(/^outpost_session=[A-Za-z0-9_-]{43};/);
    expect(header).toMatch(/HttpOnly/);
    expect(header).toMatch(/SameSite=Strict/);
    expect(header).toMatch(/Path=\//);
    expect(header).not.toMatch(/Secure/);
  });

  it('AU1: a wrong password and an unknown email both get 401 bad_credentials with the same message', async () => {
    const wrong = await t.app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { email: 'wes@test.outpost', password: 'nope' } });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { email: 'who@test.outpost', password: 'nope' } });
    expect([wrong.statusCode, unknown.statusCode]).toEqual([401, 401]);
    expect(errorOf(wrong.body)).toEqual(errorOf(unknown.body));
    expect(errorOf(wrong.body).error).toBe('bad_credentials');
  });

  it('AU2: session answers the user; after sign-out the old cookie is session_expired', async () => {
    const cookie = await signIn(t.app, 'ana@test.outpost');
    const session = await t.app.inject({ url: '/api/auth/session', headers: { cookie } });
    expect(SessionResponseSchema.parse(session.json()).user.id).toBe(t.actor.ana.userId);
    const out = await t.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { cookie, 'content-type': 'application/json' } });
    expect(out.statusCode).toBe(200);
    expect(out.json()).toEqual({ ok: true });
    expect(String(out.headers['set-cookie'])).toMatch(/outpost_session=;.*Expires=Thu, 01 Jan 1970/);
    const after = await t.app.inject({ url: '/api/sync/pull', headers: { cookie } });
    expect(after.statusCode).toBe(401);
    expect(errorOf(after.body).error).toBe('session_expired');
  });

  it('AU2: no cookie → not_signed_in on every sync route; a made-up cookie → session_expired', async () => {
    for (const req of [
      { url: '/api/sync/pull' },
      { url: '/api/sync/pull/priority?from=2030-01-01&to=2030-01-07' },
      { url: '/api/sync/live' },
      { url: '/api/auth/session' },
      { method: 'POST' as const, url: '/api/sync/push', payload: pushBody([jobCreate(randomUUID(), null)]) },
    ]) {
      const res = await t.app.inject(req);
      expect(res.statusCode, req.url).toBe(401);
      expect(errorOf(res.body).error).toBe('not_signed_in');
    }
    const made = await t.app.inject({ url: '/api/sync/pull', headers: { cookie: 'outpost_session=' + 'x'.repeat(43) } });
    expect(errorOf(made.body).error).toBe('session_expired');
  });

  it('AU1/AU2: a session expires after its lifetime', async () => {
    let now = 1_000_000;
    const storage = await openSqliteStorage(':memory:');
    const { hashPassword } = await import('./auth/password.ts');
    const org = await storage.createOrg({ name: 'T' });
    await storage.createUser({ orgId: org.id, email: 'x@t.test', name: 'X', role: 'worker', passwordHash: await hashPassword('pw') });
    const app = await buildApp({ storage, now: () => now, sessionTtlMs: 60_000 });
    try {
      const cookie = await signIn(app, 'x@t.test', 'pw');
      expect((await app.inject({ url: '/api/auth/session', headers: { cookie } })).statusCode).toBe(200);
      now += 60_000;
      const res = await app.inject({ url: '/api/auth/session', headers: { cookie } });
      expect(res.statusCode).toBe(401);
      expect(errorOf(res.body).error).toBe('session_expired');
    } finally {
      await app.close();
      await storage.close();
    }
  });
});

describe('push idempotency (PU3)', () => {
  it('PU3: same change twice → applied once; the repeat is a duplicate with the original receipt and the version did not move', async () => {
    const change = jobCreate(randomUUID(), t.actor.wes.userId);
    const first = receiptsOf((await push(t.app, t.cookie.maria, [change])).body);
    expect(first[0]).toMatchObject({ changeId: change.id, status: 'applied', version: 1 });
    const second = receiptsOf((await push(t.app, t.cookie.maria, [change])).body);
    expect(second).toEqual([{ changeId: change.id, status: 'duplicate', original: first[0] }]);
    const records = await pullAll(t.cookie.maria);
    expect(records.find((r) => r.entityId === change.entityId)?.version).toBe(1);
  });

  it('PU3: same id with other content → refused id_reused and not applied', async () => {
    const change = jobCreate(randomUUID(), null, { title: 'Original' });
    await push(t.app, t.cookie.maria, [change]);
    const reused = { ...change, fields: { ...change.fields, title: 'Changed' } };
    const r = receiptsOf((await push(t.app, t.cookie.maria, [reused])).body);
    expect(r[0]).toMatchObject({ changeId: change.id, status: 'refused', code: 'id_reused' });
    const records = await pullAll(t.cookie.maria);
    expect(records.find((x) => x.entityId === change.entityId)?.fields.title).toBe('Original');
  });
});

type Case = { name: string; status: number; error: string; headers?: Record<string, string>; body?: string; url?: string; method?: 'GET' | 'POST' };

describe('hostile and malformed input (SV1–SV3, AU3)', () => {
  const valid = () => pushBody([jobCreate(randomUUID(), null)]);
  const json = (v: unknown) => JSON.stringify(v);
  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
  const cases: Case[] = [
    { name: 'not JSON', status: 400, error: 'invalid_body', body: '{"protocolVersion":1,' },
    { name: 'empty JSON body', status: 400, error: 'invalid_body', body: '' },
    { name: 'NaN literal', status: 400, error: 'invalid_body', body: '{"protocolVersion": NaN}' },
    { name: 'text/plain', status: 415, error: 'unsupported_media_type', headers: { 'content-type': 'text/plain' }, body: json(valid()) },
    { name: 'form post', status: 415, error: 'unsupported_media_type', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' },
    { name: 'no content type', status: 415, error: 'unsupported_media_type', headers: { 'content-type': '' }, body: json(valid()) },
    { name: '2 MiB body', status: 413, error: 'payload_too_large', body: json({ ...valid(), pad: 'x'.repeat(2 * 1024 * 1024) }) },
    { name: '501 changes', status: 400, error: 'invalid_body', body: json(pushBody(Array.from({ length: 501 }, () => jobCreate(randomUUID(), null)))) },
    { name: 'no changes', status: 400, error: 'invalid_body', body: json(pushBody([])) },
    { name: 'array body', status: 400, error: 'invalid_body', body: '[]' },
    { name: 'null body', status: 400, error: 'invalid_body', body: 'null' },
    { name: 'change without a uuid', status: 400, error: 'invalid_body', body: json(pushBody([{ id: 'not-a-uuid' }])) },
    { name: 'unknown envelope key', status: 400, error: 'invalid_body', body: json({ ...valid(), extra: 1 }) },
    { name: 'protocol too old (body)', status: 426, error: 'client_too_old', body: json({ ...valid(), protocolVersion: 0 }) },
    { name: 'protocol too new (body)', status: 400, error: 'server_too_old', body: json({ ...valid(), protocolVersion: PROTOCOL_VERSION + 1 }) },
    { name: 'protocol too old (header)', status: 426, error: 'client_too_old', headers: { 'x-outpost-protocol': '0' }, body: json(valid()) },
    { name: 'protocol too new (header)', status: 400, error: 'server_too_old', headers: { 'x-outpost-protocol': String(PROTOCOL_VERSION + 1) }, body: json(valid()) },
    { name: 'protocol header garbage', status: 400, error: 'invalid_body', headers: { 'x-outpost-protocol': 'one' }, body: json(valid()) },
    { name: '__proto__ at the top', status: 400, error: 'invalid_body', body: '{"protocolVersion":1,"deviceId":"d","changes":[],"__proto__":{"polluted":true}}' },
    { name: '__proto__ in fields', status: 400, error: 'invalid_body', body: json(pushBody([{ ...jobCreate(randomUUID(), null), fields: 'X' }])).replace('"X"', '{"__proto__":{"polluted":true}}') },
    { name: 'constructor.prototype', status: 400, error: 'invalid_body', body: json(pushBody([{ ...jobCreate(randomUUID(), null), fields: 'X' }])).replace('"X"', '{"constructor":{"prototype":{"polluted":true}}}') },
    { name: 'deeply nested JSON', status: 400, error: 'invalid_body', body: json(pushBody([{ ...jobCreate(randomUUID(), null), fields: 'X' }])).replace('"X"', `{"title":${deep(50_000)}}`) },
    { name: 'cursor garbage', status: 400, error: 'invalid_body', method: 'GET', url: '/api/sync/pull?cursor=abc' },
    { name: 'cursor too large', status: 400, error: 'invalid_body', method: 'GET', url: `/api/sync/pull?cursor=${'9'.repeat(40)}` },
    { name: 'cursor twice', status: 400, error: 'invalid_body', method: 'GET', url: '/api/sync/pull?cursor=1&cursor=2' },
    { name: 'limit 0', status: 400, error: 'invalid_body', method: 'GET', url: '/api/sync/pull?limit=0' },
    { name: 'limit 1001', status: 400, error: 'invalid_body', method: 'GET', url: '/api/sync/pull?limit=1001' },
    { name: 'limit -5', status: 400, error: 'invalid_body', method: 'GET', url: '/api/sync/pull?limit=-5' },
    { name: 'limit NaN', status: 400, error: 'invalid_body', method: 'GET', url: '/api/sync/pull?limit=NaN' },
    { name: 'unknown query key', status: 400, error: 'invalid_body', method: 'GET', url: '/api/sync/pull?since=1' },
    { name: 'priority pull without dates', status: 400, error: 'invalid_body', method: 'GET', url: '/api/sync/pull/priority' },
    { name: 'priority pull, date not a date', status: 400, error: 'invalid_body', method: 'GET', url: '/api/sync/pull/priority?from=monday&to=2030-01-07' },
    { name: 'priority pull, to before from', status: 400, error: 'invalid_body', method: 'GET', url: '/api/sync/pull/priority?from=2030-01-07&to=2030-01-01' },
    { name: 'priority pull, limit 1001', status: 400, error: 'invalid_body', method: 'GET', url: '/api/sync/pull/priority?from=2030-01-01&to=2030-01-07&limit=1001' },
    { name: 'unknown API route', status: 404, error: 'not_found', method: 'GET', url: '/api/nothing-here' },
    { name: 'bad URL encoding', status: 400, error: 'invalid_body', method: 'GET', url: '/api/sync/%E0%A4%A' },
  ];

  for (const c of cases) {
    it(`SV1/SV3: ${c.name} → ${c.status} ${c.error}`, async () => {
      const res = await t.app.inject({
        method: c.method ?? 'POST',
        url: c.url ?? '/api/sync/push',
        headers: { cookie: t.cookie.maria, ...(c.method === 'GET' ? {} : { 'content-type': 'application/json' }), ...c.headers },
        ...(c.body === undefined ? {} : { payload: c.body }),
      });
      expect(res.statusCode).toBe(c.status);
      const body = errorOf(res.body);
      expect(body.error).toBe(c.error);
      expect(body.message.length).toBeGreaterThan(10);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  it('SV1: schema issues come with paths, at most 20', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/sync/push', headers: { cookie: t.cookie.maria }, payload: { protocolVersion: 1, deviceId: '!', changes: Array.from({ length: 30 }, () => ({ id: 'x' })) } });
    const body = errorOf(res.body);
    expect(body.issues?.length).toBe(20);
    expect(body.issues?.map((i) => i.path)).toContain('deviceId');
  });

  it('SV2: client_too_old says which protocol versions the server speaks', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/sync/push', headers: { cookie: t.cookie.maria }, payload: { ...valid(), protocolVersion: 0 } });
    expect(errorOf(res.body)).toMatchObject({ minProtocolVersion: 1, protocolVersion: PROTOCOL_VERSION });
  });

  it('PU2: bad changes inside a good envelope are refused one by one with a reason, and the rest applies', async () => {
    const base = jobCreate(randomUUID(), null);
    const changes = [
      { ...base, id: randomUUID(), entity: 'spaceship' },
      { ...base, id: randomUUID(), fields: { ...base.fields, colour: 'red' } },
      { ...base, id: randomUUID(), fields: { constructor: 'x' } },
      { ...base, id: randomUUID(), fields: { toString: 'x' } },
      { ...base, id: randomUUID(), fields: { ...base.fields, title: 'x'.repeat(900_000) } },
      { ...base, id: randomUUID(), baseVersion: -1 },
      { ...base, id: randomUUID(), fields: { ...base.fields, assigneeId: 12 } },
      { ...base, id: randomUUID(), hlc: 'yesterday' },
      { ...base, id: randomUUID(), payloadVersion: 999 },
      base,
    ];
    const res = await push(t.app, t.cookie.maria, changes);
    expect(res.statusCode).toBe(200);
    const receipts = receiptsOf(res.body);
    expect(receipts.map((r) => r.changeId)).toEqual(changes.map((c) => c.id));
    expect(receipts.map((r) => (r.status === 'refused' ? r.code : r.status))).toEqual([
      ...Array(8).fill('invalid_change'),
      'payload_too_new',
      'applied',
    ]);
    for (const r of receipts) if (r.status === 'refused') expect(r.reason.length).toBeGreaterThan(5);
    expect(receipts[1]?.status === 'refused' && receipts[1].reason).toMatch(/colour/);
  });

  it('SV3: a genuine server fault is 500 internal and says nothing more', async () => {
    const storage = await openSqliteStorage(':memory:');
    const broken = { ...storage, kind: 'broken', pull: async () => { throw new Error('disk on fire at /secret/path'); } };
    const app = await buildApp({ storage: broken });
    try {
      const { hashPassword } = await import('./auth/password.ts');
      const org = await storage.createOrg({ name: 'T' });
      await storage.createUser({ orgId: org.id, email: 'x@t.test', name: 'X', role: 'worker', passwordHash: await hashPassword('pw') });
      const res = await app.inject({ url: '/api/sync/pull', headers: { cookie: await signIn(app, 'x@t.test', 'pw') } });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: 'internal', message: expect.not.stringContaining('secret') });
    } finally {
      await app.close();
      await storage.close();
    }
  });
});

describe('who sees what (PL2, SV4)', () => {
  it("PL2: a worker pulls their jobs, their punches and their reports, never the other worker's or another organisation's", async () => {
    const wesJob = randomUUID();
    const anaJob = randomUUID();
    const olgaJob = randomUUID();
    await push(t.app, t.cookie.maria, [jobCreate(wesJob, t.actor.wes.userId), jobCreate(anaJob, t.actor.ana.userId)]);
    await push(t.app, t.cookie.olga, [jobCreate(olgaJob, null, { title: 'Olga secret' })]);
    const wesPunch = punchCreate(t.actor.wes.userId);
    const anaPunch = punchCreate(t.actor.ana.userId);
    expect(receiptsOf((await push(t.app, t.cookie.wes, [wesPunch, reportCreate(wesJob)])).body).map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(receiptsOf((await push(t.app, t.cookie.ana, [anaPunch, reportCreate(anaJob)])).body).map((r) => r.status)).toEqual(['applied', 'applied']);

    const wes = await pullAll(t.cookie.wes);
    const ids = wes.map((r) => r.entityId);
    expect(ids).toContain(wesPunch.entityId);
    expect(ids).toContain(wesJob);
    expect(ids).not.toContain(anaPunch.entityId);
    expect(ids).not.toContain(anaJob);
    expect(ids).not.toContain(olgaJob);
    expect(JSON.stringify(wes)).not.toContain(t.actor.ana.userId);
    expect(JSON.stringify(wes)).not.toContain('Olga secret');

    const olga = await pullAll(t.cookie.olga);
    expect(olga.map((r) => r.entityId)).toEqual([olgaJob]);
  });

  it("PL5: the priority pull gives a worker their jobs of the week and those reports, never another's", async () => {
    const wesJob = randomUUID();
    const anaJob = randomUUID();
    await push(t.app, t.cookie.maria, [jobCreate(wesJob, t.actor.wes.userId, { scheduledFor: '2030-01-03' }), jobCreate(anaJob, t.actor.ana.userId, { scheduledFor: '2030-01-03' })]);
    await push(t.app, t.cookie.wes, [reportCreate(wesJob, 'Started')]);
    const res = await t.app.inject({ url: '/api/sync/pull/priority?from=2030-01-01&to=2030-01-07', headers: { cookie: t.cookie.wes } });
    expect(res.statusCode).toBe(200);
    const body = PriorityPullResponseSchema.parse(JSON.parse(res.body));
    // Earlier tests gave Wes other jobs that week: his jobs first, then their reports.
    const keys = body.records.map((r) => `${r.entity}:${r.entityId}`);
    expect(keys).toContain(`job:${wesJob}`);
    expect(keys.indexOf(`report:${wesJob}`)).toBeGreaterThan(keys.lastIndexOf(keys.filter((k) => k.startsWith('job:')).at(-1) ?? ''));
    expect(body.records.filter((r) => r.entity === 'job').every((r) => r.fields.assigneeId === t.actor.wes.userId)).toBe(true);
    expect(keys).not.toContain(`job:${anaJob}`);
    expect(JSON.stringify(body)).not.toContain(t.actor.ana.userId);
  });

  it("SV4: pushing into another organisation's job is refused without revealing it", async () => {
    const olgaJob = randomUUID();
    await push(t.app, t.cookie.olga, [jobCreate(olgaJob, null, { title: 'Olga secret' })]);
    const fromManager = receiptsOf((await push(t.app, t.cookie.maria, [raw({ entity: 'job', entityId: olgaJob, fields: { title: 'Mine' }, baseVersion: 1 })])).body);
    const fromWorker = receiptsOf((await push(t.app, t.cookie.wes, [raw({ entity: 'job', entityId: olgaJob, fields: { status: 'done' }, baseVersion: 1 })])).body);
    const reportIntoIt = receiptsOf((await push(t.app, t.cookie.wes, [reportCreate(olgaJob)])).body);
    expect(fromManager[0]).toMatchObject({ status: 'refused', code: 'not_found' });
    expect(fromWorker[0]).toMatchObject({ status: 'refused', code: 'forbidden' });
    expect(reportIntoIt[0]).toMatchObject({ status: 'refused', code: 'forbidden' });
    const missing = receiptsOf((await push(t.app, t.cookie.maria, [raw({ entity: 'job', entityId: randomUUID(), fields: { title: 'Mine' }, baseVersion: 1 })])).body);
    expect(fromManager[0]?.status === 'refused' && fromManager[0].reason).toBe(missing[0]?.status === 'refused' && missing[0].reason);
    expect(JSON.stringify([fromManager, fromWorker, reportIntoIt])).not.toContain('Olga secret');
    const olga = await pullAll(t.cookie.olga);
    expect(olga.find((r) => r.entityId === olgaJob)).toMatchObject({ version: 1, fields: { title: 'Olga secret' } });
  });

  it('PL2: a worker changing a field other than status is told what to do', async () => {
    const job = randomUUID();
    await push(t.app, t.cookie.maria, [jobCreate(job, t.actor.wes.userId)]);
    const r = receiptsOf((await push(t.app, t.cookie.wes, [raw({ entity: 'job', entityId: job, fields: { title: 'Better' }, baseVersion: 1 })])).body);
    expect(r[0]).toMatchObject({ status: 'refused', code: 'forbidden', reason: expect.stringMatching(/manager/) });
  });
});

describe('logs and static files', () => {
  it('TM2: logs the client x-request-id as the request id', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const app = await buildApp({ storage: t.storage, logger: { level: 'info', stream } });
    try {
      await app.inject({ url: '/api/health', headers: { 'x-request-id': 'client-req-42' } });
      expect(lines.some((l) => (JSON.parse(l) as { reqId?: string }).reqId === 'client-req-42')).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('serves the built app, falls back to index.html, keeps sw.js uncached, and answers unknown /api/ with JSON', async () => {
    const dir = join(tmpdir(), `outpost-static-${randomUUID()}`);
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Outpost</title>');
    writeFileSync(join(dir, 'sw.js'), 'self.addEventListener("install", () => {});');
    writeFileSync(join(dir, 'assets', 'app-abc123.js'), 'console.log(1)');
    const app = await buildApp({ storage: t.storage, staticDir: dir });
    try {
      const root = await app.inject({ url: '/' });
      expect(root.statusCode).toBe(200);
      expect(root.body).toContain('<title>Outpost</title>');
      const deep = await app.inject({ url: '/jobs/123?tab=report' });
      expect(deep.statusCode).toBe(200);
      expect(deep.body).toContain('<title>Outpost</title>');
      const sw = await app.inject({ url: '/sw.js' });
      expect(sw.statusCode).toBe(200);
      expect(sw.headers['cache-control']).toBe('no-cache');
      const asset = await app.inject({ url: '/assets/app-abc123.js' });
      expect(asset.headers['cache-control']).toMatch(/immutable/);
      const api = await app.inject({ url: '/api/unknown' });
      expect(api.statusCode).toBe(404);
      expect(errorOf(api.body).error).toBe('not_found');
      const post = await app.inject({ method: 'POST', url: '/somewhere', headers: { 'content-type': 'application/json' }, payload: '{}' });
      expect(post.statusCode).toBe(404);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('live channel over a real socket (LV1)', () => {
  it('LV1: streams hello, then a poke after a push; server.close() ends the stream', async () => {
    const s = await startTestServer();
    const base = await listenOnLoopback(s.app);
    const live = await openLiveStream(base, s.cookie.wes);
    expect(live.response.status).toBe(200);
    expect(live.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const nextEvent = () => live.next();
    try {
      expect(await nextEvent()).toEqual({ type: 'hello', protocolVersion: PROTOCOL_VERSION });
      const res = await fetch(`${base}/api/sync/push`, {
        method: 'POST',
        headers: { cookie: s.cookie.maria, 'content-type': 'application/json', 'x-outpost-protocol': String(PROTOCOL_VERSION) },
        body: JSON.stringify(pushBody([jobCreate(randomUUID(), null)])),
      });
      const receipts = receiptsOf(await res.text());
      const seq = receipts[0]?.status === 'applied' ? receipts[0].seq : -1;
      expect(await nextEvent()).toEqual({ type: 'poke', seq });
    } finally {
      await s.app.close();
      await s.storage.close();
    }
    expect(await nextEvent()).toBeNull();
  });

  it('LV1/PU8: pushes sent at the same time each get their own receipts, poke and metrics', async () => {
    const s = await startTestServer();
    const base = await listenOnLoopback(s.app);
    const live = await openLiveStream(base, s.cookie.maria);
    const nextEvent = () => live.next();
    const send = (cookie: string, changes: readonly unknown[]) => sendPush(base, cookie, changes);
    try {
      expect(await nextEvent()).toMatchObject({ type: 'hello' });
      const job = jobCreate(randomUUID(), null);
      const reused = { ...job, fields: { ...job.fields, title: 'Other' } };
      const [mine, theirs, again] = await Promise.all([
        send(s.cookie.maria, [job, punchCreate(s.actor.wes.userId)]),
        send(s.cookie.wes, [punchCreate(s.actor.wes.userId), reused]),
        send(s.cookie.ana, [punchCreate(s.actor.wes.userId)]),
      ]);
      expect(mine.map((r) => r.status)).toEqual(['applied', 'applied']);
      expect(theirs.map((r) => r.status)).toEqual(['applied', 'refused']);
      expect(theirs[1]).toMatchObject({ changeId: job.id, code: 'id_reused' });
      expect(again[0]).toMatchObject({ status: 'refused', code: 'forbidden' });
      const seqOf = (r: (typeof mine)[number] | undefined) => (r?.status === 'applied' ? r.seq : -1);
      // One poke per push that changed something, each with that push's last sequence number.
      const pokes = [await nextEvent(), await nextEvent()];
      expect(pokes.map((p) => (p as { seq: number }).seq).sort((a, b) => a - b)).toEqual([seqOf(mine[1]), seqOf(theirs[0])].sort((a, b) => a - b));
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain('outpost_changes_total{outcome="applied"} 3');
      expect(metrics).toContain('outpost_changes_total{outcome="refused"} 2');
      expect(metrics).toMatch(/outpost_push_batch_changes_count 3\b/);
    } finally {
      await s.app.close();
      await s.storage.close();
    }
  });
});

describe('live records over a real socket (LV3)', () => {
  const pullFrom = async (base: string, cookie: string, cursor: string) => {
    const res = await fetch(`${base}/api/sync/pull?cursor=${cursor}&limit=100`, { headers: { cookie, 'x-outpost-protocol': String(PROTOCOL_VERSION) } });
    return PullResponseSchema.parse(await res.json());
  };
  const changesOf = (event: unknown) => LiveChangesSchema.parse(event);

  it('LV3, PL2, SV4: each following stream gets what its own pull from its cursor would bring; a plain stream gets a poke', async () => {
    const s = await startTestServer();
    const base = await listenOnLoopback(s.app);
    const [wes, ana, olga, maria] = await Promise.all([
      openLiveStream(base, s.cookie.wes, '?records=1'),
      openLiveStream(base, s.cookie.ana, '?records=1'),
      openLiveStream(base, s.cookie.olga, '?records=1'),
      openLiveStream(base, s.cookie.maria),
    ]);
    try {
      // A following stream's hello says where it follows from (the newest seq); a plain stream's says nothing of it.
      const latest = String(await s.storage.latestSeq());
      const hellos = await Promise.all([wes, ana, olga, maria].map((stream) => stream.next()));
      expect(hellos).toEqual([
        ...[wes, ana, olga].map(() => ({ type: 'hello', protocolVersion: PROTOCOL_VERSION, cursor: latest })),
        { type: 'hello', protocolVersion: PROTOCOL_VERSION },
      ]);
      const wesJob = randomUUID();
      const anaJob = randomUUID();
      const created = await sendPush(base, s.cookie.maria, [jobCreate(wesJob, s.actor.wes.userId), jobCreate(anaJob, s.actor.ana.userId)]);
      const lastSeq = created[1]?.status === 'applied' ? created[1].seq : -1;

      const first = changesOf(await wes.next());
      expect(first.from).toBe(latest);
      expect(first.records.map((r) => [r.entity, r.entityId, r.version])).toEqual([['job', wesJob, 1]]);
      // Exactly the answer of a pull from the same cursor (same records, same next cursor).
      const pulled = await pullFrom(base, s.cookie.wes, first.from);
      expect({ records: first.records, cursor: first.cursor }).toEqual({ records: pulled.records, cursor: pulled.cursor });
      expect(first.cursor).toBe(String(lastSeq));
      expect(changesOf(await ana.next()).records.map((r) => r.entityId)).toEqual([anaJob]);
      expect(await maria.next()).toEqual({ type: 'poke', seq: lastSeq });

      // Reassigned: Wes is told to forget the job (PL4), Ana receives it; Wes's messages chain on.
      await sendPush(base, s.cookie.maria, [raw({ entity: 'job', entityId: wesJob, fields: { assigneeId: s.actor.ana.userId }, baseVersion: 1 })]);
      const second = changesOf(await wes.next());
      expect(second.from).toBe(first.cursor);
      expect(second.records).toEqual([expect.objectContaining({ entity: 'job', entityId: wesJob, revoked: true })]);
      expect(changesOf(await ana.next()).records.map((r) => r.entityId)).toContain(wesJob);

      // Org B's first message holds only its own job: nothing of org A ever reached it.
      const olgaJob = randomUUID();
      await sendPush(base, s.cookie.olga, [jobCreate(olgaJob, null)]);
      expect(changesOf(await olga.next()).records.map((r) => r.entityId)).toEqual([olgaJob]);
    } finally {
      await s.app.close();
      await s.storage.close();
    }
  });

  it('LV3, AU2: after sign-out a following stream carries nothing more and ends', async () => {
    const s = await startTestServer();
    const base = await listenOnLoopback(s.app);
    const wes = await openLiveStream(base, s.cookie.wes, '?records=1');
    try {
      expect(await wes.next()).toMatchObject({ type: 'hello' });
      const out = await fetch(`${base}/api/auth/sign-out`, { method: 'POST', headers: { cookie: s.cookie.wes, 'content-type': 'application/json' }, body: '{}' });
      expect(out.status).toBe(200);
      await sendPush(base, s.cookie.maria, [jobCreate(randomUUID(), s.actor.wes.userId)]);
      expect(await wes.next()).toBeNull();
    } finally {
      await s.app.close();
      await s.storage.close();
    }
  });

  it('LV3: a live query that is not ours is answered 400 before any stream starts', async () => {
    const s = await startTestServer();
    try {
      const res = await s.app.inject({ url: '/api/sync/live?records=yes', headers: { cookie: s.cookie.wes } });
      expect(res.statusCode).toBe(400);
      expect(errorOf(res.body).error).toBe('invalid_body');
    } finally {
      await s.app.close();
      await s.storage.close();
    }
  });
});
