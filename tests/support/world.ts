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
import { createMemoryLocks } from '../../src/sync/locks.ts';
import { createFakeTimers } from '../../src/sync/testing/fake-timers.ts';
import { createHttpTransport } from '../../src/sync/transport.ts';
import { createReconciler } from '../../src/worker/reconciler.ts';
import { buildApp } from '../../server/app.ts';
import { SESSION_TTL_MS, newSessionToken } from '../../server/auth/session.ts';
import { DEMO_SIGN_INS, seedDemo } from '../../server/demo.ts';
import { openSqliteStorage } from '../../server/storage/sqlite.ts';
import type { ServerStorage } from '../../server/storage/types.ts';

export const START = Date.UTC(2026, 10, 23, 8, 0, 0);

export type Fault = 'none' | 'drop' | 'lose-answer' | 'delay' | 'duplicate' | 'error500' | 'expire';
export const FAULTS: readonly Fault[] = ['none', 'none', 'drop', 'lose-answer', 'delay', 'duplicate', 'error500', 'expire'];

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
}

export interface Device {
  readonly index: number;
  /** How wrong this device's wall clock is (contract: a device clock hours off still converges). */
  readonly skewMs: number;
  readonly email: string;
  readonly factory: IDBFactory;
  readonly link: Link;
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
    const fault = link.fault;
    link.fault = 'none';
    switch (fault) {
      case 'drop':
        throw new TypeError('Failed to fetch');
      case 'lose-answer':
        await send();
        world.counts.lostAnswers = (world.counts.lostAnswers ?? 0) + 1;
        throw new TypeError('Failed to fetch');
      case 'delay':
        world.delayed.push({ send });
        throw new TypeError('Failed to fetch');
      case 'duplicate':
        await send();
        world.counts.duplicates = (world.counts.duplicates ?? 0) + 1;
        break;
      case 'error500':
        return new Response(JSON.stringify({ error: 'internal', message: 'The server had a problem.' }), { status: 500 });
      case 'expire':
        link.cookie = null;
        break;
      case 'none':
        break;
    }
    const res = await send();
    return new Response(res.statusCode === 204 ? null : res.body, { status: res.statusCode, headers: res.headers as Record<string, string> });
  };
}

/** Open (or reopen after a kill) a device's context on its own IndexedDB. */
export async function openContext(world: World, device: Omit<Device, 'db' | 'ctx' | 'engine'> & Partial<Device>): Promise<Device> {
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
  const engine = createSyncEngine({
    db,
    transport: createHttpTransport({ baseUrl: '', fetch: linkFetch(world, device.link), timers, now: () => world.clock.t }),
    reconciler: createReconciler(db, { now: () => world.clock.t + device.skewMs }),
    locks: createMemoryLocks(),
    clock: { now: () => world.clock.t + device.skewMs },
    timers,
    random: () => 0.5,
    batchSize: 4,
    pullLimit: 3,
  });
  return { ...device, db, ctx, engine } as Device;
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
export async function createWorld(template: string, skews: readonly number[] = [], people: readonly string[] = DEFAULT_PEOPLE): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-world-'));
  dirs.push(dir);
  const file = join(dir, 'outpost.sqlite');
  copyFileSync(template, file);
  const storage = await openSqliteStorage(file);
  const clock = { t: START };
  const app = await buildApp({ storage, now: () => clock.t });
  const world: World = { app, storage, file, clock, delayed: [], devices: [], made: new Map(), counts: {} };
  for (const [index, email] of people.entries()) {
    world.devices.push(await addDevice(world, email, skews[index] ?? 0));
  }
  for (const d of world.devices) await d.engine.syncNow('start');
  return world;
}


/** A new device for `email` (signed in, empty IndexedDB), not yet synced. */
export async function addDevice(world: World, email: string, skewMs = 0): Promise<Device> {
  const { cookie, userId } = await signIn(world, email);
  const link: Link = { online: true, fault: 'none', cookie, hang: null };
  return openContext(world, { index: world.devices.length, skewMs, email, factory: new IDBFactory(), link, userId });
}

/** Close every device and the server of a world. */
export async function closeWorld(world: World): Promise<void> {
  for (const d of world.devices) d.db.close();
  await world.app.close();
  await world.storage.close();
}
