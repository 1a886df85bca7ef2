/**
 * 6. server ingest on SQLite with 50 devices pushing at once. A bounded load generator in this process:
 * 50 sessions (signed in as the demo users, round robin), each with its own device id and a keep-alive
 * connection, pushing pre-built batches of valid new punches to POST /api/sync/push on 127.0.0.1 one
 * after another. A warm-up round, then a measured window; it stops by itself when the window ends or the
 * pre-built batches run out.
 */
import http from 'node:http';
import { uuidv7 } from '../../protocol/index.ts';
import { DEMO } from '../lib/browser.ts';
import type { Results } from '../lib/results.ts';
import { median, p95, p99 } from '../lib/stats.ts';

export interface IngestOptions {
  readonly devices: number;
  readonly batchSize: number;
  readonly warmupBatches: number;
  /** Upper bound of measured batches per device. */
  readonly maxBatches: number;
  readonly windowMs: number;
}

interface Session {
  cookie: string;
  userId: string;
  role: string;
  deviceId: string;
}

function request(agent: http.Agent, url: URL, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string; setCookie: string[] }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: url.hostname, port: url.port, path: url.pathname, method, headers: body ? { ...headers, 'content-length': Buffer.byteLength(body) } : headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), setCookie: res.headers['set-cookie'] ?? [] }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) req.end(body);
    else req.end();
  });
}

function buildBatches(s: Session, wesId: string, count: number, size: number): string[] {
  const out: string[] = [];
  let hlcMs = Date.now();
  let counter = 0;
  const userId = s.role === 'worker' ? s.userId : wesId;
  for (let b = 0; b < count; b++) {
    const changes = [];
    for (let i = 0; i < size; i++) {
      counter = (counter + 1) % 10_000;
      if (counter === 0) hlcMs++;
      const at = Date.now() - i * 1000;
      changes.push({
        id: uuidv7(),
        deviceId: s.deviceId,
        entity: 'punch',
        entityId: uuidv7(),
        op: 'create',
        fields: {
          userId,
          kind: i % 2 === 0 ? 'clock_in' : 'clock_out',
          at,
          recordedAt: at,
          elapsedMs: 1000 + i,
          bootId: 'bench-ingest',
          location: { lat: 51.5, lng: -0.12, accuracyM: 10 },
          flags: [],
          correctionReason: null,
        },
        hlc: `${String(hlcMs).padStart(13, '0')}-${String(counter).padStart(4, '0')}-${s.deviceId}`,
        baseVersion: 0,
        payloadVersion: 1,
      });
    }
    out.push(JSON.stringify({ protocolVersion: 1, deviceId: s.deviceId, changes }));
  }
  return out;
}

function countApplied(text: string): number {
  let n = 0;
  for (let at = text.indexOf('"status":"applied"'); at !== -1; at = text.indexOf('"status":"applied"', at + 1)) n++;
  return n;
}

export async function benchIngest(url: string, results: Results, opts: IngestOptions): Promise<void> {
  const base = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.devices });
  try {
    const users = [DEMO.wes, DEMO.ana, DEMO.maria];
    const sessions: Session[] = [];
    for (let i = 0; i < opts.devices; i++) {
      const u = users[i % users.length] as (typeof users)[number];
      const res = await request(agent, new URL('/api/auth/sign-in', base), 'POST', { 'content-type': 'application/json' }, JSON.stringify(u));
      if (res.status !== 200) throw new Error(`sign-in ${res.status}: ${res.text}`);
      const cookie = res.setCookie.map((c) => c.split(';')[0]).join('; ');
      const user = (JSON.parse(res.text) as { user: { id: string; role: string } }).user;
      sessions.push({ cookie, userId: user.id, role: user.role, deviceId: `bench-ingest-${i}` });
    }
    const wesId = sessions.find((s) => s.role === 'worker')?.userId ?? '';
    const t0gen = performance.now();
    const bodies = sessions.map((s) => buildBatches(s, wesId, opts.warmupBatches + opts.maxBatches, opts.batchSize));
    console.log(`    built ${opts.devices} × ${opts.warmupBatches + opts.maxBatches} batches of ${opts.batchSize} in ${Math.round(performance.now() - t0gen)} ms`);

    const push = async (s: Session, body: string): Promise<number> => {
      const res = await request(agent, new URL('/api/sync/push', base), 'POST', { 'content-type': 'application/json', 'x-outpost-protocol': '1', cookie: s.cookie }, body);
      if (res.status !== 200) throw new Error(`push ${res.status}: ${res.text.slice(0, 300)}`);
      return countApplied(res.text);
    };

    // Warm-up: every device pushes its first batches (JIT, SQLite cache, connections).
    await Promise.all(sessions.map(async (s, i) => {
      for (let b = 0; b < opts.warmupBatches; b++) await push(s, bodies[i]?.[b] as string);
    }));

    const latencies: number[] = [];
    let applied = 0;
    let sent = 0;
    const t0 = performance.now();
    const deadline = t0 + opts.windowMs;
    let last = t0;
    await Promise.all(sessions.map(async (s, i) => {
      const mine = bodies[i] as string[];
      for (let b = opts.warmupBatches; b < mine.length && performance.now() < deadline; b++) {
        const start = performance.now();
        const n = await push(s, mine[b] as string);
        applied += n;
        sent += opts.batchSize;
        const end = performance.now();
        latencies.push(end - start);
        last = Math.max(last, end);
      }
    }));
    const seconds = (last - t0) / 1000;
    const rate = applied / seconds;
    results.add({
      name: `ingest: ${opts.devices} devices pushing batches of ${opts.batchSize}`,
      value: rate,
      unit: 'changes/s',
      budget: '≥ 20,000 changes/s',
      ok: rate >= 20_000,
      note: `${applied} of ${sent} applied in ${seconds.toFixed(1)} s, ${latencies.length} requests`,
    });
    results.add({ name: 'ingest: push latency p50', value: median(latencies), unit: 'ms', ok: null });
    results.add({ name: 'ingest: push latency p95', value: p95(latencies), unit: 'ms', ok: null });
    results.add({ name: 'ingest: push latency p99', value: p99(latencies), unit: 'ms', ok: null });
  } finally {
    agent.destroy();
  }
}
