/**
 * Hostile input to every route (contract 11; SV1–SV4, AU2, AU3, PU2, PL2): at
 * least 10,000 generated requests — malformed, oversized, deeply nested, wrong
 * types, wrong content types, stale or forged cookies, other people's and
 * other organisations' data. Every answer must be below 500, every error must
 * be `{ error, message }` with a known code, and no answer may carry data the
 * signed-in person may not read.
 */
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, PriorityPullResponseSchema, PullResponseSchema, PushResponseSchema } from '../protocol/index.ts';
import type { TestServer } from './testing/app-fixtures.ts';
import { push, startTestServer } from './testing/app-fixtures.ts';
import { jobCreate, punchCreate, raw, reportCreate } from './testing/fixtures.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SECRET_OTHER_ORG = 'OLGA-ORG-SECRET';
const SECRET_ANA = 'ANA-ONLY-SECRET';

let t: TestServer;
let wesJob: string;
let anaJob: string;
let olgaJob: string;
let anaPunch: string;
const sent: Record<string, number> = {};

beforeAll(async () => {
  t = await startTestServer();
  wesJob = randomUUID();
  anaJob = randomUUID();
  olgaJob = randomUUID();
  anaPunch = randomUUID();
  const ok = (r: { statusCode: number; body: string }) => expect(r.statusCode, r.body).toBe(200);
  ok(await push(t.app, t.cookie.maria, [jobCreate(wesJob, t.actor.wes.userId), jobCreate(anaJob, t.actor.ana.userId, { title: `${SECRET_ANA} job` })]));
  ok(await push(t.app, t.cookie.ana, [reportCreate(anaJob, `${SECRET_ANA} notes`), punchCreate(t.actor.ana.userId, anaPunch)]));
  ok(await push(t.app, t.cookie.olga, [jobCreate(olgaJob, null, { title: `${SECRET_OTHER_ORG} job`, details: SECRET_OTHER_ORG })]));
});

afterAll(async () => {
  console.log(`fuzz: ${RUNS} hostile requests by kind ${JSON.stringify(sent)}`);
  await t.app.close();
  await t.storage.close();
});

type Who = 'wes' | 'maria' | 'none' | 'forged' | 'garbage';
const whoArb = fc.constantFrom<Who>('wes', 'wes', 'wes', 'maria', 'none', 'forged', 'garbage');

function cookieFor(who: Who): string | undefined {
  switch (who) {
    case 'wes':
      return t.cookie.wes;
    case 'maria':
      return t.cookie.maria;
    case 'forged':
      return `outpost_session=${'A'.repeat(43)}`;
    case 'garbage':
      return 'outpost_session=%%%; other=\u0001';
    case 'none':
      return undefined;
  }
}

/** Any JSON value, with the keys an attacker likes. */
const hostileKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'checklist.__proto__', 'fields', 'id', '');
const jsonish: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 40 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 12 }), hostileKey), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A valid change of some kind, then damaged or aimed at someone else's data. */
const changeArb: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.constantFrom(
      'valid-status',
      'other-org-job',
      'ana-job',
      'ana-punch-edit',
      'punch-for-ana',
      'other-org-report',
      'drop-key',
      'wrong-type',
      'extra-key',
      'hostile-field',
      'huge-string',
      'future-payload',
      'random',
    ),
    jsonish,
    fc.constantFrom('id', 'deviceId', 'entity', 'entityId', 'op', 'fields', 'hlc', 'baseVersion', 'payloadVersion'),
    hostileKey,
  )
  .map(([kind, value, key, hostile]) => {
    const base = raw({ entity: 'job', entityId: wesJob, fields: { status: 'in_progress' } });
    switch (kind) {
      case 'valid-status':
        return base;
      case 'other-org-job':
        return raw({ entity: 'job', entityId: olgaJob, fields: { title: 'mine now' } });
      case 'ana-job':
        return raw({ entity: 'job', entityId: anaJob, fields: { status: 'done' } });
      case 'ana-punch-edit':
        return raw({ entity: 'punch', entityId: anaPunch, fields: { kind: 'clock_out' } });
      case 'punch-for-ana':
        return punchCreate(t.actor.ana.userId);
      case 'other-org-report':
        return reportCreate(olgaJob, 'hello');
      case 'drop-key': {
        const copy: Record<string, unknown> = { ...base };
        delete copy[key];
        return copy;
      }
      case 'wrong-type':
        return { ...base, [key]: value };
      case 'extra-key':
        return { ...base, [(JSON.stringify(value) ?? "undefined").slice(0, 20)]: value };
      case 'hostile-field':
        return JSON.parse(`{"id":"${randomUUID()}","deviceId":"d","entity":"report","entityId":"${wesJob}","op":"update","fields":{${JSON.stringify(hostile)}:1},"hlc":"${base.hlc}","baseVersion":0,"payloadVersion":1}`) as unknown;
      case 'huge-string':
        return raw({ entity: 'report', entityId: wesJob, fields: { notes: 'x'.repeat(25_000) } });
      case 'future-payload':
        return { ...base, payloadVersion: 99 };
      default:
        return value;
    }
  });

type Req = { kind: string; method: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: string; headers: Record<string, string>; payload?: string };

const pushReq: fc.Arbitrary<Req> = fc
  .tuple(
    fc.array(changeArb, { minLength: 0, maxLength: 6 }),
    fc.oneof(fc.constant(1), fc.constant(0), fc.constant(2), fc.integer(), fc.string({ maxLength: 3 })),
    fc.oneof(fc.constant('dev-a'), fc.string({ maxLength: 80 })),
    fc.constantFrom('application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-8', ''),
    fc.oneof(fc.constant(undefined), fc.constant('1'), fc.constant('0'), fc.constant('999'), fc.string({ maxLength: 5 })),
    fc.constantFrom('body', 'body', 'body', 'not-json', 'deep', 'huge', 'many'),
  )
  .map(([changes, protocolVersion, deviceId, contentType, header, shape]) => {
    let payload: string;
    switch (shape) {
      case 'not-json':
        payload = `{"protocolVersion":1,"changes":[${JSON.stringify(changes).slice(1, 20)}`;
        break;
      case 'deep':
        payload = `${'['.repeat(5000)}${']'.repeat(5000)}`;
        break;
      case 'huge':
        payload = JSON.stringify({ protocolVersion: 1, deviceId: 'dev-a', changes: [raw({ entity: 'report', entityId: wesJob, fields: { notes: 'y'.repeat(1_100_000) } })] });
        break;
      case 'many':
        payload = JSON.stringify({ protocolVersion: 1, deviceId: 'dev-a', changes: Array.from({ length: 501 }, () => raw({ entity: 'job', entityId: wesJob, fields: { status: 'done' } })) });
        break;
      default:
        payload = JSON.stringify({ protocolVersion, deviceId, changes });
    }
    const headers: Record<string, string> = {};
    if (contentType) headers['content-type'] = contentType;
    if (header !== undefined) headers['x-outpost-protocol'] = header;
    return { kind: `push:${shape}`, method: 'POST' as const, url: '/api/sync/push', headers, payload };
  });

const pullReq: fc.Arbitrary<Req> = fc
  .tuple(fc.oneof(fc.constant(''), fc.nat().map(String), fc.string({ maxLength: 50 })), fc.oneof(fc.constant(''), fc.integer().map(String), fc.string({ maxLength: 8 })), fc.boolean())
  .map(([cursor, limit, extra]) => {
    const q = new URLSearchParams();
    if (cursor) q.set('cursor', cursor);
    if (limit) q.set('limit', limit);
    if (extra) q.set('everyone', 'true');
    return { kind: 'pull', method: 'GET' as const, url: `/api/sync/pull?${q.toString()}`, headers: {} };
  });

const dateish = fc.oneof(fc.constant(''), fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)), fc.string({ maxLength: 12 }));
const priorityReq: fc.Arbitrary<Req> = fc.tuple(dateish, dateish, fc.oneof(fc.constant(''), fc.integer().map(String)), fc.boolean()).map(([from, to, limit, extra]) => {
  const q = new URLSearchParams();
  if (from) q.set('from', from);
  if (to) q.set('to', to);
  if (limit) q.set('limit', limit);
  if (extra) q.set('cursor', '0');
  return { kind: 'pull-priority', method: 'GET' as const, url: `/api/sync/pull/priority?${q.toString()}`, headers: {} };
});

const otherReq: fc.Arbitrary<Req> = fc.oneof(
  fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE') as fc.Arbitrary<Req['method']>, fc.string({ maxLength: 40 })).map(([method, path]) => ({
    kind: 'random-path',
    method,
    url: `/api/${encodeURIComponent(path)}`,
    headers: { 'content-type': 'application/json' },
    ...(method === 'GET' ? {} : { payload: '{}' }),
  })),
  fc.constantFrom('/api/health', '/api/auth/session', '/api/sync/pull', '/api/sync/push').map((url) => ({ kind: 'wrong-method', method: 'DELETE' as const, url, headers: {} })),
  jsonish.map((body) => ({ kind: 'sign-out', method: 'POST' as const, url: '/api/auth/sign-out-nowhere', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) ?? 'null' })),
  fc.constant({ kind: 'session', method: 'GET' as const, url: '/api/auth/session', headers: {} }),
  fc.constant({ kind: 'live-unsigned', method: 'GET' as const, url: '/api/sync/live', headers: {} }),
);

/** Sign-in runs scrypt, so it is a small share of the run. */
const signInReq: fc.Arbitrary<Req> = fc
  .tuple(fc.oneof(jsonish, fc.record({ email: fc.constantFrom('wes@test.outpost', 'olga@test.outpost', 'nobody@x'), password: fc.string({ maxLength: 300 }) })), fc.boolean())
  .map(([body, json]) => ({
    kind: 'sign-in',
    method: 'POST' as const,
    url: '/api/auth/sign-in',
    headers: { 'content-type': json ? 'application/json' : 'text/plain' },
    payload: JSON.stringify(body) ?? 'null',
  }));

const requestArb = fc.tuple(
  fc.oneof({ weight: 60, arbitrary: pushReq }, { weight: 20, arbitrary: pullReq }, { weight: 5, arbitrary: priorityReq }, { weight: 14, arbitrary: otherReq }, { weight: 1, arbitrary: signInReq }),
  whoArb,
);

const ERRORS = new Set<string>(ERROR_CODES);

describe('hostile input to every route (contract 11)', () => {
  it(
    `SV1–SV4, AU2, AU3, PU2, PL2: ${RUNS} generated hostile requests get only 4xx with reasons or valid answers, and never another person's data`,
    async () => {
      await fc.assert(
        fc.asyncProperty(requestArb, async ([req, who]) => {
          if (req.kind === 'live-unsigned' && (who === 'wes' || who === 'maria')) return; // a live stream never ends by itself
          sent[req.kind] = (sent[req.kind] ?? 0) + 1;
          const cookie = cookieFor(who);
          const res = await t.app.inject({
            method: req.method,
            url: req.url,
            headers: { ...req.headers, ...(cookie ? { cookie } : {}) },
            ...(req.payload === undefined ? {} : { payload: req.payload }),
          });
          const statusClass = `status ${res.statusCode}`;
          sent[statusClass] = (sent[statusClass] ?? 0) + 1;
          const where = `${req.method} ${req.url} as ${who} (${req.kind}) → ${res.statusCode} ${res.body.slice(0, 300)}`;
          expect(res.statusCode, where).toBeLessThan(500);
          expect(res.body, where).not.toContain(SECRET_OTHER_ORG); // never another organisation's data
          expect(res.body, where).not.toMatch(/scrypt\$|token_?hash|password_?hash/i); // no secrets of any kind
          if (who !== 'maria') expect(res.body, where).not.toContain(SECRET_ANA); // a worker never sees a colleague's data
          if (res.statusCode >= 400) {
            const body = res.json() as { error?: unknown; message?: unknown };
            expect(ERRORS.has(String(body.error)), where).toBe(true);
            expect(typeof body.message === 'string' && body.message.length > 5, where).toBe(true);
            return;
          }
          if (req.url.startsWith('/api/sync/push')) {
            const body = PushResponseSchema.parse(res.json());
            for (const r of body.receipts) expect(JSON.stringify(r), where).not.toContain(anaPunch);
          }
          if (req.url.startsWith('/api/sync/pull') && who === 'wes') {
            const body = req.url.startsWith('/api/sync/pull/priority') ? PriorityPullResponseSchema.parse(res.json()) : PullResponseSchema.parse(res.json());
            for (const r of body.records) {
              if (r.entity === 'punch') expect(r.fields.userId, where).toBe(t.actor.wes.userId);
              if (r.entity === 'job') expect(r.fields.assigneeId, where).toBe(t.actor.wes.userId);
            }
          }
        }),
        { numRuns: RUNS, endOnFailure: true },
      );
      const answered = Object.entries(sent).filter(([k]) => k.startsWith('status ')).reduce((a, [, n]) => a + n, 0);
      expect(answered).toBeGreaterThan(RUNS * 0.9);
      // The run reached past the front door: real receipts and pulls, and refusals of every kind.
      for (const status of [200, 400, 401, 404, 413, 415]) expect(sent[`status ${status}`] ?? 0, `answers ${status}`).toBeGreaterThan(0);
    },
    10 * 60_000,
  );
});
