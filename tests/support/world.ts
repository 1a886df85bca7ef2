/**
 * Test support: a real Fastify app on a real SQLite file and devices that each
 * have their own IndexedDB (fake-indexeddb) with the real outbox, engine and
 * reconciler, linked to the app over `app.inject` with injectable faults.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import type { FastifyInstance } from 'fastify';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openOutpostDb, type OutpostDb } from '../../src/data/db.ts';
import { openDataContext, type DataContext } from '../../src/data/write.ts';
import { createSyncEngine, type SyncEngine } from '../../src/sync/engine.ts';
import { createFakeTimers } from '../../src/sync/testing/fake-timers.ts';
import { createHttpTransport } from '../../src/sync/transport.ts';
import { createReconciler } from '../../src/worker/reconciler.ts';
import { buildApp } from '../../server/app.ts';
import { SESSION_TTL_MS, newSessionToken } from '../../server/auth/session.ts';
import { DEMO_SIGN_INS, seedDemo } from '../../server/demo.ts';
import { openSqliteStorage } from '../../server/storage/sqlite.ts';
import type { ServerStorage } from '../../server/storage/types.ts';
import { createBrowserLocks, type BrowserLocks, type ContextLocks } from './browser-locks.ts';

export const START = Date.UTC(2026, 10, 23, 8, 0, 0);

export type Fault = 'none' | 'drop' | 'lose-answer' | 'delay' | 'duplicate' | 'error500' | 'error408' | 'error429' | 'captive' | 'expire';
export const FAULTS: readonly Fault[] = ['none', 'none', 'drop', 'lose-answer', 'delay', 'duplicate', 'error500', 'error408', 'error429', 'captive', 'expire'];

export interface Delayed {
  readonly send: () => Promise<unknown>;
}

/** The network between one device and the server: a fetch over app.inject with faults. */
export interface Link {
  online: boolean;
  fault: Fault;
  cookie: string | null;
  /** Set by a crash step: the next request reaches (or not) the server and never answers. */
  hang: 'before-send' | 'after-send' | null;
  /** Requests from this device waiting for their answer right now (SY1: never more than one). */
  inflight: number;
}

/** One browsing context of a device (a tab): its own connection to the device's IndexedDB and its own engine. */
export interface Tab {
  readonly db: OutpostDb;
  readonly ctx: DataContext;
  readonly engine: SyncEngine;
  readonly locks: ContextLocks;
}

export interface Device {
  readonly index: number;
  /** How wrong this device's wall clock is (contract: a device clock hours off still converges). */
  readonly skewMs: number;
  readonly email: string;
  readonly factory: IDBFactory;
  readonly link: Link;
  /** The Web Locks of this device's browser, shared by its tabs. */
  readonly browser: BrowserLocks;
  /** Open tabs; tabs[0] is also `db`, `ctx` and `engine`. */
  readonly tabs: Tab[];
  db: OutpostDb;
  ctx: DataContext;
  engine: SyncEngine;
  userId: string;
}

export interface World {
  readonly app: FastifyInstance;
  readonly storage: ServerStorage;
  readonly file: string;
  readonly clock: { t: number };
  readonly delayed: Delayed[];
  readonly devices: Device[];
  /** Every change id a write returned, by device. */
  readonly made: Map<string, number>;
  readonly counts: Record<string, number>;
}

const dirs: string[] = [];
/** Remove every folder this module made (call from afterAll). */
export function removeWorlds(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

let uuidCounter = 0;
export function uuid(): string {
  uuidCounter += 1;
  const hex = uuidCounter.toString(16).padStart(12, '0');
  return `c0ffee00-0000-4000-8000-${hex}`;
}

/**
 * A session for `email`, minted in storage: password checks (scrypt) are tested
 * with the sign-in route elsewhere and would dominate this run's time.
 */
export async function signIn(world: Pick<World, 'storage' | 'clock'>, email: string): Promise<{ cookie: string; userId: string }> {
  const user = await world.storage.findUserByEmail(email);
  if (!user) throw new Error(`no demo user ${email}`);
  const { token, tokenHash } = newSessionToken();
  await world.storage.createSession({ tokenHash, userId: user.id, createdAt: world.clock.t, expiresAt: world.clock.t + SESSION_TTL_MS });
  return { cookie: `outpost_session=${token}`, userId: user.id };
}

export function linkFetch(world: World, link: Link) {
  return async (input: string, init: RequestInit): Promise<Response> => {
    const url = new URL(input, 'http://outpost.test');
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => {
      headers[k] = v;
    });
    if (link.cookie) headers.cookie = link.cookie;
    const send = () =>
      world.app.inject({
        method: (init.method ?? 'GET') as 'GET' | 'POST',
        url: url.pathname + url.search,
        headers,
        ...(typeof init.body === 'string' ? { payload: init.body } : {}),
      });
    if (link.hang) {
      // The context is killed while this request is out: it may or may not reach the server.
      const afterSend = link.hang === 'after-send';
      link.hang = null;
      if (afterSend) await send();
      world.counts.killed = (world.counts.killed ?? 0) + 1;
      return new Promise<Response>(() => {});
    }
    if (!link.online) throw new TypeError('Failed to fetch');
    link.inflight += 1;
    if (link.inflight > 1) world.counts.parallelSends = (world.counts.parallelSends ?? 0) + 1; // SY1 broken
    try {
      return await answer(world, link, send);
    } finally {
      link.inflight -= 1;
    }
  };
}

type Send = () => Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>;

async function answer(world: World, link: Link, send: Send): Promise<Response> {
  const fault = link.fault;
  link.fault = 'none';
  const count = (key: string) => (world.counts[key] = (world.counts[key] ?? 0) + 1);
  switch (fault) {
    case 'drop':
      throw new TypeError('Failed to fetch');
    case 'lose-answer':
      await send();
      count('lostAnswers');
      throw new TypeError('Failed to fetch');
    case 'delay':
      world.delayed.push({ send });
      throw new TypeError('Failed to fetch');
    case 'duplicate':
      await send();
      count('duplicates');
      break;
    case 'error500':
      return new Response(JSON.stringify({ error: 'internal', message: 'The server had a problem.' }), { status: 500 });
    case 'error408':
      return new Response('Request Timeout', { status: 408 });
    case 'error429':
      return new Response(JSON.stringify({ error: 'rate_limited', message: 'Slow down.' }), { status: 429, headers: { 'retry-after': '30' } });
    case 'captive':
      // A hotel Wi-Fi login page answering 200 in the server's place (PU5).
      count('captivePortals');
      return new Response('<html><body>Sign in to the guest Wi-Fi</body></html>', { status: 200, headers: { 'content-type': 'text/html' } });
    case 'expire':
      link.cookie = null;
      break;
    case 'none':
      break;
  }
  const res = await send();
  return new Response(res.statusCode === 204 ? null : res.body, { status: res.statusCode, headers: res.headers as Record<string, string> });
}

/** Open a tab (a fresh context) of a device on its IndexedDB, with its own engine and the browser's locks. */
export async function openTab(world: World, device: Pick<Device, 'index' | 'skewMs' | 'factory' | 'link' | 'userId' | 'browser'>): Promise<Tab> {
  const db = openOutpostDb('outpost', { indexedDB: device.factory, IDBKeyRange });
  const ctx = await openDataContext({
    db,
    userId: device.userId,
    now: () => world.clock.t++ + device.skewMs,
    elapsedMs: () => world.clock.t - START,
    bootId: `boot-${device.index}`,
    uuid,
  });
  const timers = createFakeTimers(world.clock);
  const locks = device.browser.context();
  const engine = createSyncEngine({
    db,
    transport: createHttpTransport({ baseUrl: '', fetch: linkFetch(world, device.link), timers, now: () => world.clock.t }),
    reconciler: createReconciler(db, { now: () => world.clock.t + device.skewMs }),
    locks: locks.locks,
    clock: { now: () => world.clock.t + device.skewMs },
    timers,
    random: () => 0.5,
    batchSize: 4,
    pullLimit: 3,
  });
  return { db, ctx, engine, locks };
}

/** Kill tab `i` of a device (it may be mid-request; its locks are released) and open a fresh one in its place. */
export async function restartTab(world: World, device: Device, i: number): Promise<void> {
  const old = device.tabs[i];
  if (!old) throw new Error(`device ${device.index} has no tab ${i}`);
  old.locks.kill();
  old.db.close();
  const fresh = await openTab(world, device);
  device.tabs[i] = fresh;
  if (i === 0) Object.assign(device, { db: fresh.db, ctx: fresh.ctx, engine: fresh.engine });
}

/**
 * Seed the demo organisation once into a template database (copied for each
 * world) and check the real sign-in route for every demo person.
 */
export async function seedTemplate(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-world-'));
  dirs.push(dir);
  const template = join(dir, 'template.sqlite');
  const storage = await openSqliteStorage(template);
  await seedDemo(storage, START);
  const app = await buildApp({ storage, now: () => START });
  for (const s of DEMO_SIGN_INS) {
    const res = await app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { email: s.email, password: s.password } });
    if (res.statusCode !== 200) throw new Error(`demo sign-in for ${s.email} failed: ${res.statusCode}`);
  }
  await app.close();
  await storage.close();
  return template;
}

/** Wes on a phone and a tablet, Ana on a phone, Maria (manager) in a browser. */
export const DEFAULT_PEOPLE = [1, 1, 2, 0].map((i) => DEMO_SIGN_INS[i]?.email ?? '');

/** A server from the template and one device per email, each synced once. */
export async function createWorld(template: string, skews: readonly number[] = [], people: readonly string[] = DEFAULT_PEOPLE, tabs = 1): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-world-'));
  dirs.push(dir);
  const file = join(dir, 'outpost.sqlite');
  copyFileSync(template, file);
  const storage = await openSqliteStorage(file);
  const clock = { t: START };
  const app = await buildApp({ storage, now: () => clock.t });
  const world: World = { app, storage, file, clock, delayed: [], devices: [], made: new Map(), counts: {} };
  for (const [index, email] of people.entries()) {
    world.devices.push(await addDevice(world, email, skews[index] ?? 0, tabs));
  }
  for (const d of world.devices) await d.engine.syncNow('start');
  return world;
}


/** A new device for `email` (signed in, empty IndexedDB) with `tabs` open tabs, not yet synced. */
export async function addDevice(world: World, email: string, skewMs = 0, tabs = 1): Promise<Device> {
  const { cookie, userId } = await signIn(world, email);
  const link: Link = { online: true, fault: 'none', cookie, hang: null, inflight: 0 };
  const base = { index: world.devices.length, skewMs, email, factory: new IDBFactory(), link, userId, browser: createBrowserLocks() };
  const opened: Tab[] = [];
  for (let i = 0; i < tabs; i++) opened.push(await openTab(world, base));
  const first = opened[0];
  if (!first) throw new Error('a device needs a tab');
  return { ...base, tabs: opened, db: first.db, ctx: first.ctx, engine: first.engine };
}

/** Close every device and the server of a world. */
export async function closeWorld(world: World): Promise<void> {
  for (const d of world.devices) for (const t of d.tabs) t.db.close();
  await world.app.close();
  await world.storage.close();
}
