import type { FastifyInstance } from 'fastify';
import type { PriorityPullResponse, PullResponse, PushResponse } from '../../protocol/index.ts';
import { LIMITS, LiveQuerySchema, PROTOCOL_VERSION, PriorityPullQuerySchema, PullQuerySchema, PushRequestSchema } from '../../protocol/index.ts';
import type { ServerStorage } from '../storage/types.ts';
import type { ServerClock } from '../sync/clock.ts';
import { prepareChanges } from '../sync/prepare.ts';
import type { Actor } from '../sync/types.ts';
import { checkProtocolVersion, invalidBody } from './errors.ts';
import type { LiveHub } from './live.ts';
import type { Metrics } from './metrics.ts';
import { requireSession } from './session.ts';

export interface SyncRouteOptions {
  readonly storage: ServerStorage;
  readonly now: () => number;
  readonly live: LiveHub;
  /** SY6: the server's HLC, shared with the live channel (LV3). */
  readonly clock: ServerClock;
  readonly metrics?: Metrics;
}

function countOutcomes(receipts: readonly { status: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of receipts) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function registerSyncRoutes(app: FastifyInstance, { storage, now, live, clock, metrics }: SyncRouteOptions): void {
  // SY6: the server keeps its own HLC, merged with every stamp it accepts and ticked per request.
  const stamp = (): string => clock.stamp();

  const signedIn = async (request: Parameters<typeof requireSession>[1]): Promise<{ actor: Actor; sessionKey: string }> => {
    const { user, tokenHash } = await requireSession(storage, request, now());
    return { actor: { userId: user.id, orgId: user.orgId, role: user.role }, sessionKey: tokenHash };
  };
  const actorOf = async (request: Parameters<typeof requireSession>[1]): Promise<Actor> => (await signedIn(request)).actor;

  app.post('/api/sync/push', async (request): Promise<PushResponse> => {
    const body = request.body;
    // SV2 before the schema: a newer client's envelope may not fit this server's schema.
    if (isRecord(body) && typeof body.protocolVersion === 'number' && Number.isInteger(body.protocolVersion)) {
      checkProtocolVersion(body.protocolVersion);
    }
    const { actor, sessionKey } = await signedIn(request); // AU2
    const parsed = PushRequestSchema.safeParse(body);
    if (!parsed.success) throw invalidBody(parsed.error.issues, 'The push request is not valid.'); // PU2
    const incoming = prepareChanges(parsed.data.changes);
    for (const c of incoming) if (c.kind === 'valid') clock.receive(c.change.hlc);
    const result = await storage.applyBatch(actor, incoming);
    if (result.lastSeq !== null) live.poke(actor.orgId, result.lastSeq); // LV1
    metrics?.recordPush(sessionKey, parsed.data.deviceId, result.receipts, incoming.length);
    // One device's sync can be followed end to end by its request ids and device id.
    request.log.info(
      { deviceId: parsed.data.deviceId, userId: actor.userId, changes: incoming.length, lastSeq: result.lastSeq, outcomes: countOutcomes(result.receipts) },
      'push applied',
    );
    return { ok: true, protocolVersion: PROTOCOL_VERSION, receipts: result.receipts, serverHlc: stamp() };
  });

  app.get('/api/sync/pull', async (request): Promise<PullResponse> => {
    const { actor, sessionKey } = await signedIn(request);
    const parsed = PullQuerySchema.safeParse(request.query);
    if (!parsed.success) throw invalidBody(parsed.error.issues, 'The pull request is not valid.');
    const cursor = parsed.data.cursor ? Number(parsed.data.cursor) : 0;
    if (!Number.isSafeInteger(cursor)) {
      throw invalidBody([{ path: ['cursor'], message: 'cursor must come from an earlier pull' }], 'The pull request is not valid.');
    }
    // PL1, PL2: the storage filters by what this person may read.
    const page = await storage.pull(actor, cursor, parsed.data.limit ?? LIMITS.defaultPullLimit);
    metrics?.recordPull(sessionKey, page.cursor, page.records.length);
    return {
      ok: true,
      protocolVersion: PROTOCOL_VERSION,
      records: page.records,
      cursor: String(page.cursor),
      more: page.more,
      serverHlc: stamp(),
    };
  });

  // PL5: a new device's first jobs, before its pull by cursor. No cursor: PL3 skips them when they come again.
  app.get('/api/sync/pull/priority', async (request): Promise<PriorityPullResponse> => {
    const actor = await actorOf(request);
    const parsed = PriorityPullQuerySchema.safeParse(request.query);
    if (!parsed.success) throw invalidBody(parsed.error.issues, 'The priority pull request is not valid.');
    const { from, to } = parsed.data;
    if (from > to) throw invalidBody([{ path: ['to'], message: 'to must not be before from' }], 'The priority pull request is not valid.');
    const records = await storage.pullPriority(actor, from, to, parsed.data.limit ?? LIMITS.defaultPullLimit);
    return { ok: true, protocolVersion: PROTOCOL_VERSION, records, serverHlc: stamp() };
  });

  app.get('/api/sync/live', async (request, reply) => {
    const { actor, sessionKey } = await signedIn(request);
    const parsed = LiveQuerySchema.safeParse(request.query);
    if (!parsed.success) throw invalidBody(parsed.error.issues, 'The live channel request is not valid.');
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const hello = { type: 'hello', protocolVersion: PROTOCOL_VERSION } as const;
    // LV1; LV3 when the device asks for records.
    const close = live.subscribe(actor.orgId, res, hello, parsed.data.records === '1' ? { sessionKey } : undefined);
    res.on('close', close);
  });
}
