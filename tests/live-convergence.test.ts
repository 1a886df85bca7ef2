/**
 * Seeded live-channel convergence run (STYLE 8) for LV3, PL1, PL3 and SY1: a device whose live channel is
 * open gets every change the server commits without anyone pressing "sync now".
 *
 * The real parts: the Fastify app (server/app.ts) listening on 127.0.0.1 on a port it chooses, on a real
 * SQLite file in a temporary folder; per device the real Dexie database (fake-indexeddb), write functions,
 * reconciler and sync engine (`createSyncEngine`), started with the real page triggers
 * (`createBrowserTriggers`, src/state/triggers.ts). The triggers' live channel is a small EventSource
 * stand-in over Node's fetch streaming of `GET /api/sync/live?records=1` (LV1, LV3): `onmessage`,
 * `readyState`, `close()`; a stream that ends or fails is CLOSED (2) and the page reopens it with
 * `reconnectLive()`. The engine's transport is plain HTTP to the same server; its timers are fake and never
 * run, so no periodic or retry pass ever pulls (SY3, SY4) — only writes, the app start and the live channel
 * ask for drains.
 *
 * A seeded schedule makes local edits (each followed by `triggers.write()`, as the app does), closes a
 * device's channel or has the server drop it, reopens it at random moments relative to the other devices'
 * pushes and the device's own pulls, holds a stream's messages and delivers them later (in order, as a slow
 * network would), and lets time pass. Then every channel is opened and everything settles (no outbox row
 * pending or sending, every message the server wrote delivered, every drain finished) WITHOUT a manual
 * sync, and every device must show exactly what a fresh pull for its person gives (PL1, PL2, PL4):
 * LV3 (a stream's hello makes a device that is elsewhere pull; `changes` that follow on are applied),
 * PL3 (pages and live records apply by version, the cursor by compare-and-set), SY1 (one drain at a time,
 * a trigger during a drain asks for one more pass).
 *
 * Reproduce a failure with LIVE_CONVERGENCE_SEED=<seed in the failure message>; LIVE_CONVERGENCE_RUNS sets
 * the number of schedules.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import fc from 'fast-check';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { toRecord, type EntityName } from '../protocol/index.ts';
import { openOutpostDb, type OutpostDb } from '../src/data/db.ts';
import { ChangeRefusedError } from '../src/data/errors.ts';
import { getMeta } from '../src/data/meta.ts';
import { countByState } from '../src/data/outbox.ts';
import { openDataContext, type DataContext } from '../src/data/write.ts';
import { LIVE_URL, createBrowserTriggers, type BrowserTriggers, type LiveChannel } from '../src/state/triggers.ts';
import { createSyncEngine, type SyncEngine } from '../src/sync/engine.ts';
import type { LocksLike } from '../src/sync/locks.ts';
import { createFakeTimers } from '../src/sync/testing/fake-timers.ts';
import { createHttpTransport } from '../src/sync/transport.ts';
import { createReconciler } from '../src/worker/reconciler.ts';
import { DEMO_SIGN_INS } from '../server/demo.ts';
import { listenOnLoopback } from '../server/testing/app-fixtures.ts';
import { createBrowserLocks } from './support/browser-locks.ts';
import { pickJob, randomWrite } from './support/edits.ts';
import { START, closeWorld, createWorld, removeWorlds, seedTemplate, signIn, uuid, type World } from './support/world.ts';

const RUNS = Number(process.env.LIVE_CONVERGENCE_RUNS ?? 40);
/** Always an explicit seed, so every failure message can say how to replay it. */
const SEED = process.env.LIVE_CONVERGENCE_SEED ? Number(process.env.LIVE_CONVERGENCE_SEED) : Math.floor(Math.random() * 0x7fffffff);
const REPLAY = `LIVE_CONVERGENCE_SEED=${SEED}`;
/** A bound on each wait for the system to settle (a hang fails with what it was waiting for; not a timing assertion). */
const SETTLE_LIMIT_MS = 15_000;

/** The header that ties a live stream the server wrote to the stand-in EventSource that reads it (test only). */
const STREAM_HEADER = 'x-live-convergence-stream';
const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;

const email = (name: string): string => DEMO_SIGN_INS.find((s) => s.name === name)?.email ?? '';
/** Wes on a phone, Maria (manager) in a browser, Ana on a phone, Wes on a tablet: the first 2–4 of them. */
const PEOPLE = [
  { name: 'Wes', email: email('Wes') },
  { name: 'Maria', email: email('Maria') },
  { name: 'Ana', email: email('Ana') },
  { name: 'Wes (tablet)', email: email('Wes') },
] as const;

// ---------------------------------------------------------------------------------------------------------
// The server, instrumented from outside: what each live stream was written, and requests being answered.

interface ServerProbe {
  /** The server's address on 127.0.0.1 (set once it listens). */
  base: string;
  /** Non-live requests being answered right now. */
  inflight: number;
  /** `data:` events written to each live stream (by stream id), counted as the hub writes them. */
  readonly sent: Map<string, number>;
  /** The open live responses, so a step can have the server drop one. */
  readonly open: Map<string, ServerResponse>;
}

async function listen(app: FastifyInstance): Promise<ServerProbe> {
  const counted = new WeakSet<FastifyRequest>();
  const probe: ServerProbe = { base: '', inflight: 0, sent: new Map(), open: new Map() };
  app.addHook('onRequest', async (request, reply) => {
    const id = request.headers[STREAM_HEADER];
    if (typeof id === 'string') {
      const res = reply.raw;
      probe.sent.set(id, 0);
      probe.open.set(id, res);
      const write = res.write.bind(res) as (...args: unknown[]) => boolean;
      (res as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
        const chunk = args[0];
        if (typeof chunk === 'string' && chunk.startsWith('data:')) probe.sent.set(id, (probe.sent.get(id) ?? 0) + 1);
        return write(...args);
      };
      res.on('close', () => probe.open.delete(id));
      return;
    }
    counted.add(request);
    probe.inflight += 1;
  });
  app.addHook('onResponse', async (request) => {
    if (counted.has(request)) probe.inflight -= 1;
  });
  probe.base = await listenOnLoopback(app);
  return probe;
}

// ---------------------------------------------------------------------------------------------------------
// The EventSource stand-in: what `LiveChannel` needs, over a streamed fetch.

let streamIds = 0;

class FetchEventSource implements LiveChannel {
  onmessage: ((event: MessageEvent) => void) | null = null;
  readyState = CONNECTING;
  readonly id = `s${++streamIds}`;
  /** Events read off the wire and not dispatched yet (held back while `hold`: a slow network). */
  readonly queue: string[] = [];
  delivered = 0;
  /** Dispatched events by `type` (hello, changes, poke), for the run's counts. */
  readonly types: Record<string, number> = {};
  hold: boolean;
  /** The stream ended or failed: CLOSED once what was read before the end is dispatched. */
  private ended = false;
  private readonly abort = new AbortController();

  constructor(url: string, cookie: string, hold: boolean) {
    this.hold = hold;
    void this.read(url, cookie);
  }

  private async read(url: string, cookie: string): Promise<void> {
    try {
      const response = await fetch(url, { headers: { cookie, accept: 'text/event-stream', [STREAM_HEADER]: this.id }, signal: this.abort.signal });
      if (!response.ok || !response.body) {
        await response.body?.cancel();
        return;
      }
      if (this.readyState === CLOSED) return;
      this.readyState = OPEN;
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).replace(/^ /, ''));
          if (data.length > 0) this.queue.push(data.join('\n')); // comment lines (LV2 heartbeats) carry none
        }
        this.dispatch();
      }
    } catch {
      // closed by the device (aborted) or the connection failed
    } finally {
      this.ended = true;
      this.dispatch();
    }
  }

  /** Hand the page the events read so far, in order (none after `close()`, none while held). */
  dispatch(): void {
    if (this.readyState === CLOSED) return;
    while (!this.hold && this.queue.length > 0) {
      const data = this.queue.shift() as string;
      this.count(data);
      this.onmessage?.({ data } as MessageEvent);
      if (this.readyState === CLOSED) return;
    }
    if (this.ended && this.queue.length === 0) this.readyState = CLOSED;
  }

  /** Dispatch the oldest held event, if any; false when there was none. */
  deliverOne(): boolean {
    if (this.readyState === CLOSED || this.queue.length === 0) return false;
    const data = this.queue.shift() as string;
    this.count(data);
    this.onmessage?.({ data } as MessageEvent);
    return true;
  }

  private count(data: string): void {
    this.delivered += 1;
    const type = /"type":"(\w+)"/.exec(data)?.[1] ?? 'other';
    this.types[type] = (this.types[type] ?? 0) + 1;
  }

  close(): void {
    this.readyState = CLOSED;
    this.queue.length = 0; // what was still on its way is lost with the channel
    this.abort.abort();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Devices: one tab each, engine started with the page triggers.

interface LiveDevice {
  readonly index: number;
  readonly name: string;
  readonly email: string;
  readonly userId: string;
  readonly manager: boolean;
  readonly db: OutpostDb;
  readonly ctx: DataContext;
  readonly engine: SyncEngine;
  readonly triggers: BrowserTriggers;
  /** Drains holding or waiting for the sync lock right now (SY1). */
  readonly busy: { n: number };
  /** Every channel the triggers opened, newest last. */
  readonly channels: FetchEventSource[];
  /** New streams start held too while set (the slow network stays slow). */
  hold: boolean;
  /** Drains that did not end `synced` (none is expected: nothing here fails on purpose). */
  readonly failures: string[];
}

interface Run {
  readonly world: World;
  readonly probe: ServerProbe;
  readonly devices: LiveDevice[];
  readonly workers: readonly string[];
  readonly counts: Record<string, number>;
}

const current = (d: LiveDevice): FetchEventSource | undefined => d.channels[d.channels.length - 1];

async function addLiveDevice(world: World, probe: ServerProbe, index: number, person: (typeof PEOPLE)[number]): Promise<LiveDevice> {
  const { cookie, userId } = await signIn(world, person.email);
  const user = await world.storage.getUser(userId);
  const db = openOutpostDb('outpost', { indexedDB: new IDBFactory(), IDBKeyRange });
  const ctx = await openDataContext({
    db,
    userId,
    now: () => world.clock.t++,
    elapsedMs: () => world.clock.t - START,
    bootId: `live-boot-${index}`,
    uuid,
  });
  const timers = createFakeTimers(world.clock); // never run: no periodic pass, no retry (see the header)
  const busy = { n: 0 };
  const browserLocks = createBrowserLocks().context().locks;
  const locks: LocksLike = {
    request(name, options, callback) {
      busy.n += 1;
      return browserLocks.request(name, options, callback).finally(() => {
        busy.n -= 1;
      });
    },
  };
  const fetchWithCookie = (input: string, init: RequestInit): Promise<Response> =>
    fetch(input, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), cookie } });
  const engine = createSyncEngine({
    db,
    transport: createHttpTransport({ baseUrl: probe.base, fetch: fetchWithCookie, timers, now: () => world.clock.t }),
    reconciler: createReconciler(db, { now: () => world.clock.t }),
    locks,
    clock: { now: () => world.clock.t },
    timers,
    random: () => 0.5,
    batchSize: 4,
    pullLimit: 3,
  });
  const channels: FetchEventSource[] = [];
  const device: LiveDevice = {
    index,
    name: person.name,
    email: person.email,
    userId,
    manager: user?.role !== 'worker',
    db,
    ctx,
    engine,
    triggers: createBrowserTriggers({
      window: new EventTarget(),
      document: Object.assign(new EventTarget(), { visibilityState: 'visible' }),
      openLive: () => {
        const channel = new FetchEventSource(`${probe.base}${LIVE_URL}`, cookie, device.hold);
        channels.push(channel);
        return channel;
      },
    }),
    busy,
    channels,
    hold: false,
    failures: [],
  };
  engine.subscribe((status) => {
    if (status.phase !== 'idle' && status.phase !== 'pushing' && status.phase !== 'pulling') {
      device.failures.push(`${status.phase}: ${status.lastError ?? ''}`);
    }
  });
  return device;
}

// ---------------------------------------------------------------------------------------------------------
// Steps.

type Step =
  | { readonly t: 'edit'; readonly dev: number; readonly kind: number; readonly pick: number; readonly value: number }
  | { readonly t: 'close'; readonly dev: number }
  | { readonly t: 'drop'; readonly dev: number }
  | { readonly t: 'reopen'; readonly dev: number }
  | { readonly t: 'hold'; readonly dev: number }
  | { readonly t: 'release'; readonly dev: number; readonly n: number }
  | { readonly t: 'wait'; readonly how: 'turn' | 'ms' | 'quiet'; readonly ms: number }
  | { readonly t: 'tick'; readonly ms: number };

const dev = fc.nat(3);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 7, arbitrary: fc.record({ t: fc.constant('edit' as const), dev, kind: fc.nat(9), pick: fc.nat(20), value: fc.nat(5) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('close' as const), dev }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('drop' as const), dev }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('reopen' as const), dev }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('hold' as const), dev }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('release' as const), dev, n: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('wait' as const), how: fc.constantFrom('turn' as const, 'ms' as const, 'quiet' as const), ms: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 120_000 }) }) },
);

/** A local edit through the real write functions (as tests/convergence.test.ts), then what the app does after a write. */
async function edit(run: Run, d: LiveDevice, step: Extract<Step, { t: 'edit' }>): Promise<void> {
  const jobId = await pickJob(d.db, step.pick);
  const v = step.value;
  const worker = run.workers[v % run.workers.length] ?? null;
  const write = () => randomWrite(d.ctx, { manager: d.manager, kind: step.kind, value: v, jobId, deviceIndex: d.index, assignee: worker });
  try {
    const result = await write();
    if (!result) {
      run.counts.noJob = (run.counts.noJob ?? 0) + 1;
      return;
    }
    run.counts.edits = (run.counts.edits ?? 0) + 1;
    d.triggers.write(); // the app wakes the drain after every committed write
  } catch (err) {
    // The device's own rules may refuse an edit at once (a job it lost to a reassignment between picking
    // it and writing): nothing was saved.
    if (!(err instanceof ChangeRefusedError)) throw err;
    run.counts.localRefusals = (run.counts.localRefusals ?? 0) + 1;
  }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function runStep(run: Run, step: Step): Promise<void> {
  const d = 'dev' in step ? run.devices[step.dev % run.devices.length] : undefined;
  switch (step.t) {
    case 'edit':
      return edit(run, d as LiveDevice, step);
    case 'close': {
      // The channel goes away on the device's side (what was still on its way is lost); reopened later.
      const channel = current(d as LiveDevice);
      if (channel && channel.readyState !== CLOSED) {
        channel.close();
        run.counts.closes = (run.counts.closes ?? 0) + 1;
      }
      return;
    }
    case 'drop': {
      // The server's side of the stream goes away (a proxy, a restart): the device sees it end.
      const channel = current(d as LiveDevice);
      const res = channel ? run.probe.open.get(channel.id) : undefined;
      if (res) {
        res.destroy();
        run.counts.drops = (run.counts.drops ?? 0) + 1;
      }
      return;
    }
    case 'reopen':
      (d as LiveDevice).triggers.reconnectLive(); // opens a new stream only if the current one is CLOSED
      return;
    case 'hold': {
      const device = d as LiveDevice;
      device.hold = true;
      const channel = current(device);
      if (channel) channel.hold = true;
      return;
    }
    case 'release': {
      const device = d as LiveDevice;
      device.hold = false;
      const channel = current(device);
      if (!channel) return;
      // The held events arrive one by one, in order, a few now; the rest stay held.
      for (let i = 0; i < step.n && channel.deliverOne(); i++) await turn();
      channel.hold = channel.queue.length > 0;
      device.hold = channel.hold;
      channel.dispatch();
      run.counts.releases = (run.counts.releases ?? 0) + 1;
      return;
    }
    case 'wait':
      if (step.how === 'turn') return turn();
      if (step.how === 'ms') return sleep(step.ms);
      return settle(run, false);
    case 'tick':
      run.world.clock.t += step.ms;
      return;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Settling and the final property.

/** What still moves (empty: settled), and a fingerprint of the state to see it stay still. */
async function observe(run: Run, final: boolean): Promise<{ waiting: string[]; fingerprint: string }> {
  const waiting: string[] = [];
  const prints: unknown[] = [await run.world.storage.latestSeq(), run.probe.inflight];
  if (run.probe.inflight > 0) waiting.push(`the server is answering ${run.probe.inflight} request(s)`);
  for (const d of run.devices) {
    const counts = await countByState(d.db);
    const cursor = (await getMeta(d.db, 'cursor')) ?? null;
    if (counts.pending + counts.sending > 0) waiting.push(`${d.name}: ${counts.pending} pending, ${counts.sending} sending outbox rows`);
    if (d.busy.n > 0) waiting.push(`${d.name}: a drain is running`);
    const channel = current(d);
    const sent = channel ? (run.probe.sent.get(channel.id) ?? 0) : 0;
    if (final) {
      if (!channel || channel.readyState !== OPEN) waiting.push(`${d.name}: the live channel is not open (${channel?.readyState ?? 'none'})`);
      else if (channel.delivered === 0) waiting.push(`${d.name}: no hello yet on ${channel.id}`);
    }
    if (channel && channel.readyState === OPEN && !channel.hold && channel.delivered !== sent) {
      waiting.push(`${d.name}: ${channel.id} delivered ${channel.delivered} of the ${sent} events the server wrote`);
    }
    prints.push([d.busy.n, counts, cursor, channel?.id, channel?.readyState, channel?.delivered, sent, d.engine.status().phase]);
  }
  return { waiting, fingerprint: JSON.stringify(prints) };
}

/**
 * Poll (on state, between event-loop turns) until nothing moves: the same settled state seen twice in a row.
 * `final`: every device's channel must also be open with its hello delivered.
 */
async function settle(run: Run, final: boolean): Promise<void> {
  const started = Date.now();
  let previous: string | null = null;
  for (let polls = 0; ; polls++) {
    if (final) {
      for (const d of run.devices) {
        const channel = current(d);
        if (channel?.hold) {
          channel.hold = false;
          channel.dispatch();
        }
        d.hold = false;
        d.triggers.reconnectLive(); // opens the channel only if it is closed
      }
    }
    const { waiting, fingerprint } = await observe(run, final);
    if (waiting.length === 0 && fingerprint === previous) return;
    previous = waiting.length === 0 ? fingerprint : null;
    if (Date.now() - started > SETTLE_LIMIT_MS) {
      throw new Error(`did not settle after ${polls} polls (${final ? 'final' : 'quiet step'}): ${waiting.join('; ') || 'still moving'} — replay with ${REPLAY}`);
    }
    await (polls < 20 ? turn() : sleep(2));
  }
}

const ENTITY_TABLE = { job: 'jobs', report: 'reports', punch: 'punches' } as const;

/** A stable text for a record: key order does not count, undefined fields are absent (like toEqual). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/** LV3 / PL1 / PL2 / PL4: each device shows exactly what a fresh pull for its person gives. */
async function checkConverged(run: Run, steps: readonly Step[]): Promise<void> {
  const problems: string[] = [];
  for (const d of run.devices) {
    const me = await run.world.storage.getUser(d.userId);
    if (!me) throw new Error('user vanished');
    const page = await run.world.storage.pull({ userId: me.id, orgId: me.orgId, role: me.role }, 0, 100_000);
    if (page.more) throw new Error('a fresh pull did not fit in one page');
    const differences: string[] = [];
    for (const entity of ['job', 'report', 'punch'] as const satisfies readonly EntityName[]) {
      const expected = new Map(
        page.records
          .filter((r) => r.entity === entity && !r.revoked) // PL4: what this person may no longer see is gone
          .map((r) => [r.entityId, toRecord(entity, r.entityId, r.version, r.deleted, r.fields) as { id: string; version: number }]),
      );
      const shown = new Map(((await d.db.table(ENTITY_TABLE[entity]).toArray()) as { id: string; version: number }[]).map((r) => [r.id, r]));
      for (const id of new Set([...expected.keys(), ...shown.keys()])) {
        const want = expected.get(id);
        const got = shown.get(id);
        if (want && got && canonical(want) === canonical(got)) continue;
        differences.push(
          `${entity} ${id}: device ${got ? `v${got.version} ${canonical(got)}` : 'missing'}, server ${want ? `v${want.version} ${canonical(want)}` : 'not visible'}`,
        );
      }
    }
    if (differences.length > 0) {
      const cursor = (await getMeta(d.db, 'cursor')) ?? null;
      const channels = d.channels.map((c) => `${c.id}:${c.readyState === OPEN ? 'open' : 'closed'} delivered ${c.delivered}/${run.probe.sent.get(c.id) ?? 0}`);
      problems.push(
        `${d.name} (device ${d.index}) with its live channel open did not converge without a manual sync; stored cursor ${String(cursor)}, ` +
          `server latest seq ${await run.world.storage.latestSeq()}, streams [${channels.join(', ')}]; ${differences.length} differing record(s):\n    ${differences.join('\n    ')}`,
      );
    }
    if (d.failures.length > 0) problems.push(`${d.name} (device ${d.index}): a drain did not end synced: ${d.failures.join(' | ')}`);
  }
  if (problems.length > 0) {
    throw new Error(`LV3 broken (replay with ${REPLAY}):\n  ${problems.join('\n  ')}\n  steps: ${JSON.stringify(steps)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------

let template = '';
const running = new Set<Run>();

async function closeRun(run: Run): Promise<void> {
  running.delete(run);
  for (const d of run.devices) d.triggers.closeLive();
  for (const d of run.devices) await d.engine.stop();
  await closeWorld(run.world); // ends the live streams, closes the server and SQLite
  for (const d of run.devices) d.db.close();
}

beforeAll(async () => {
  template = await seedTemplate();
});
afterAll(async () => {
  for (const run of [...running]) await closeRun(run);
  removeWorlds();
});

describe('live convergence: an open live channel brings every commit, no manual sync (STYLE 8)', () => {
  const totals: Record<string, number> = {};

  afterAll(() => {
    console.log(`live convergence: ${RUNS} schedules, seed ${SEED}, counts ${JSON.stringify(totals)}`);
  });

  it(
    'LV3, PL1, PL3, SY1: after any schedule of edits, channel closes, drops, reopens and slow deliveries, every device with an open channel shows what a fresh pull gives',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 2, max: 4 }), fc.nat(3), fc.array(stepArb, { minLength: 5, maxLength: 30 }), async (people, startRace, steps) => {
          const world = await createWorld(template, [], []); // the server only; the devices below are live ones
          const probe = await listen(world.app);
          const workers = await Promise.all([email('Wes'), email('Ana')].map(async (e) => (await world.storage.findUserByEmail(e))?.id ?? ''));
          const run: Run = { world, probe, devices: [], workers, counts: {} };
          running.add(run);
          try {
            for (const [index, person] of PEOPLE.slice(0, people).entries()) run.devices.push(await addLiveDevice(world, probe, index, person));
            // App start (SY3): the first pull and the live channel race each other.
            for (const d of run.devices) d.engine.start(d.triggers);
            // Mostly the devices have their jobs before the schedule starts (so edits find some); sometimes
            // the schedule runs into the first pulls and hellos.
            if (startRace > 0) await settle(run, false);
            for (const step of steps) await runStep(run, step);
            await settle(run, true);
            await checkConverged(run, steps);
            run.counts.streams = run.devices.reduce((n, d) => n + d.channels.length, 0);
            for (const c of run.devices.flatMap((d) => d.channels)) {
              for (const [type, n] of Object.entries(c.types)) run.counts[type] = (run.counts[type] ?? 0) + n;
            }
            for (const [k, v] of Object.entries(run.counts)) totals[k] = (totals[k] ?? 0) + v;
          } finally {
            await closeRun(run);
          }
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true, verbose: 1 },
      );
    },
    5 * 60_000,
  );
});
