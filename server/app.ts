import fastifyCookie from '@fastify/cookie';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { HealthResponse } from '../protocol/index.ts';
import { LIMITS, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, REQUEST_ID_HEADER } from '../protocol/index.ts';
import { SESSION_TTL_MS } from './auth/session.ts';
import { registerAuthRoutes } from './http/auth-routes.ts';
import { HttpError, errorHandler } from './http/errors.ts';
import { registerGuards } from './http/guards.ts';
import { createLiveHub } from './http/live.ts';
import { sessionUser } from './http/session.ts';
import { createMetrics } from './http/metrics.ts';
import { registerStatic } from './http/static.ts';
import { registerSyncRoutes } from './http/sync-routes.ts';
import type { ServerStorage } from './storage/types.ts';
import { createServerClock } from './sync/clock.ts';

export interface BuildAppOptions {
  storage: ServerStorage;
  /** Built app to serve (single-page fallback to index.html). */
  staticDir?: string;
  /** Fastify/pino logger options; off by default. */
  logger?: boolean | object;
  now?: () => number;
  sessionTtlMs?: number;
  /** LV2 heartbeat interval (default 25 s). */
  liveHeartbeatMs?: number;
  /** Serve Prometheus metrics at /metrics (default true); with process metrics when `processMetrics`. */
  metrics?: boolean;
  processMetrics?: boolean;
}

export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const now = opts.now ?? Date.now;
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: LIMITS.maxBodyBytes, // SV1
    requestIdHeader: REQUEST_ID_HEADER,
    // Malformed URLs and the like get the same { error, message } shape (SV3).
    frameworkErrors: (error, request, reply) => errorHandler(error, request, reply),
  });
  const storage = opts.storage;
  const clock = createServerClock(now);
  // LV3: streams that ask for records get what their pull would bring, filtered by the same rules (PL2).
  const live = createLiveHub({
    ...(opts.liveHeartbeatMs !== undefined ? { heartbeatMs: opts.liveHeartbeatMs } : {}),
    feed: {
      async actorOf(sessionKey) {
        const user = await sessionUser(storage, sessionKey, now());
        return user ? { userId: user.id, orgId: user.orgId, role: user.role } : null;
      },
      pull: (actor, cursor, limit) => storage.pull(actor, cursor, limit),
      latestSeq: () => storage.latestSeq(),
      stamp: () => clock.stamp(),
    },
    onError: (err) => app.log.error({ err }, 'live channel: records could not be sent; the streams were poked instead'),
  });

  app.setErrorHandler(errorHandler);
  await app.register(fastifyCookie);
  registerGuards(app);

  app.get('/api/health', async (): Promise<HealthResponse> => ({
    ok: true,
    protocolVersion: PROTOCOL_VERSION,
    minProtocolVersion: MIN_PROTOCOL_VERSION,
    storage: opts.storage.kind,
  }));
  registerAuthRoutes(app, { storage: opts.storage, now, sessionTtlMs: opts.sessionTtlMs ?? SESSION_TTL_MS });
  const metrics =
    opts.metrics === false
      ? undefined
      : createMetrics({ now, liveConnections: () => live.size(), latestSeq: () => opts.storage.latestSeq(), processMetrics: opts.processMetrics ?? false });
  if (metrics) {
    app.addHook('onResponse', async (request, reply) => {
      metrics.observeRequest(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode, reply.elapsedTime / 1000);
    });
    // Telemetry for the operator: Prometheus text format.
    app.get('/metrics', async (_request, reply) => {
      const text = await metrics.registry.metrics();
      return reply.header('content-type', metrics.registry.contentType).header('cache-control', 'no-store').send(text);
    });
  }
  registerSyncRoutes(app, { storage: opts.storage, now, live, clock, ...(metrics ? { metrics } : {}) });

  const spa = opts.staticDir ? await registerStatic(app, opts.staticDir) : false;
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const isApi = path === '/api' || path.startsWith('/api/');
    if (spa && !isApi && (request.method === 'GET' || request.method === 'HEAD')) {
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    }
    throw new HttpError(404, 'not_found', isApi ? 'There is no such API route.' : 'There is nothing at this address.');
  });

  // LV1: live streams would hold server.close() open; end them first.
  app.addHook('preClose', async () => {
    live.closeAll();
    await live.idle(); // no storage read of the live channel outlives the server
  });
  return app;
}
