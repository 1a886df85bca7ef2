import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Receipt } from '../../protocol/index.ts';
import { finalReceipt } from '../../protocol/index.ts';

/** Devices tracked for lag; the least recently seen are forgotten beyond this. */
const MAX_DEVICES = 5000;

export interface Metrics {
  readonly registry: Registry;
  /** Every answered request, by route pattern (bounded labels). */
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  /** A push answered: counts receipts by outcome and remembers which device this session is. */
  recordPush(sessionKey: string, deviceId: string, receipts: readonly Receipt[], batchSize: number): void;
  /** A pull answered: the device (known from its session's pushes, else the session) is now at `cursor`. */
  recordPull(sessionKey: string, cursor: number, records: number): void;
}

export interface MetricsOptions {
  readonly now: () => number;
  /** Open live-channel streams (LV1). */
  readonly liveConnections: () => number;
  /** Highest committed change-log sequence number. */
  readonly latestSeq: () => Promise<number>;
  /** Node process metrics (CPU, memory, event loop); off in tests. */
  readonly processMetrics?: boolean;
}

interface DeviceState {
  cursor: number;
  lastSeen: number;
}

/** Prometheus metrics of the sync server (issue: server telemetry), on a registry of its own. */
export function createMetrics(opts: MetricsOptions): Metrics {
  const registry = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'outpost_' });

  const requests = new Counter({
    name: 'outpost_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status code.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'outpost_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by route pattern and method.',
    labelNames: ['route', 'method'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const batch = new Histogram({
    name: 'outpost_push_batch_changes',
    help: 'Changes per push request.',
    buckets: [1, 2, 5, 10, 25, 50, 100, 200, 500],
    registers: [registry],
  });
  const changes = new Counter({
    name: 'outpost_changes_total',
    help: 'Pushed changes by outcome: applied, duplicate (answered with the original receipt), refused, conflict.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'outpost_refusals_total',
    help: 'Refused changes by refusal code (a duplicate of a refusal is not counted again).',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const conflicts = new Counter({
    name: 'outpost_conflicts_total',
    help: 'Conflicting fields recorded for review, by field.',
    labelNames: ['field'] as const,
    registers: [registry],
  });
  const pulled = new Counter({
    name: 'outpost_pulled_records_total',
    help: 'Records sent to devices by pulls.',
    registers: [registry],
  });
  new Gauge({
    name: 'outpost_live_connections',
    help: 'Open live-channel streams.',
    registers: [registry],
    collect() {
      this.set(opts.liveConnections());
    },
  });

  const deviceOfSession = new Map<string, string>();
  const devices = new Map<string, DeviceState>();
  const touch = (device: string): DeviceState => {
    const state = devices.get(device) ?? { cursor: 0, lastSeen: 0 };
    devices.delete(device); // re-insert: the map stays ordered by last use
    devices.set(device, state);
    if (devices.size > MAX_DEVICES) {
      const oldest = devices.keys().next().value;
      if (oldest !== undefined) devices.delete(oldest);
    }
    state.lastSeen = opts.now();
    return state;
  };

  new Gauge({
    name: 'outpost_device_lag_changes',
    help: 'Changes committed on the server since the device last pulled (how far behind it is).',
    labelNames: ['device'] as const,
    registers: [registry],
    async collect() {
      const latest = await opts.latestSeq();
      this.reset();
      for (const [device, state] of devices) this.set({ device }, Math.max(0, latest - state.cursor));
    },
  });
  new Gauge({
    name: 'outpost_device_last_sync_age_seconds',
    help: 'Seconds since the device last pushed or pulled.',
    labelNames: ['device'] as const,
    registers: [registry],
    collect() {
      const now = opts.now();
      this.reset();
      for (const [device, state] of devices) this.set({ device }, Math.max(0, (now - state.lastSeen) / 1000));
    },
  });

  return {
    registry,
    observeRequest(route, method, status, seconds) {
      requests.inc({ route, method, status: String(status) });
      latency.observe({ route, method }, seconds);
    },
    recordPush(sessionKey, deviceId, receipts, batchSize) {
      batch.observe(batchSize);
      deviceOfSession.set(sessionKey, deviceId);
      if (deviceOfSession.size > MAX_DEVICES * 2) deviceOfSession.delete(deviceOfSession.keys().next().value ?? '');
      touch(deviceId);
      for (const r of receipts) {
        changes.inc({ outcome: r.status });
        if (r.status === 'duplicate') continue;
        const final = finalReceipt(r);
        if (final.status === 'refused') refusals.inc({ code: final.code });
        if (final.status === 'conflict') for (const f of final.fields) conflicts.inc({ field: f.field });
      }
    },
    recordPull(sessionKey, cursor, records) {
      pulled.inc(records);
      const device = deviceOfSession.get(sessionKey) ?? `session:${sessionKey.slice(0, 8)}`;
      touch(device).cursor = cursor;
    },
  };
}
