/**
 * An in-memory sync server for engine tests (test support). It speaks the
 * protocol through the SyncTransport interface: validates changes, applies
 * them with the protocol's `applyChange` (CF6), answers repeats with the
 * original receipt (PU3), serves pulls by change sequence (PL1), and can be
 * scripted to fail in every way PU7 classifies.
 */
import { ChangeSchema, PROTOCOL_VERSION, applyChange, canonicalJson, changeContent, formatHlc } from '../../../protocol/index.ts';
import type { Change, EntityState, LiveChanges, OriginalReceipt, PulledRecord, PullResponse, Receipt } from '../../../protocol/index.ts';
import type { SyncTransport, TransportResult } from '../transport.ts';

type Failure = Exclude<TransportResult<never>, { kind: 'ok' }>;
/** A scripted answer: a failure, or `lose-answer` (apply the batch, then fail as if the answer was lost). */
export type ScriptStep = Failure | { kind: 'lose-answer' };

interface Stored extends EntityState {
  lastSeq: number;
}

export interface FakeServer {
  readonly transport: SyncTransport;
  /** Queue scripted answers for the next pushes / pulls. */
  readonly script: { push: ScriptStep[]; pull: Failure[] };
  /** Largest batch accepted before answering too-large (413). */
  maxBatch: number;
  /** Current entity states. */
  entity(entity: EntityState['entity'], id: string): EntityState | undefined;
  /** How many times each change id was applied (must never exceed 1). */
  readonly applied: Map<string, number>;
  readonly stats: { pushCalls: number; pullCalls: number; concurrent: number; maxConcurrent: number; changesReceived: number; batchSizes: number[] };
  /** Called inside every push while it is "in flight" (to trigger things during a drain). */
  onPush: (() => void | Promise<void>) | null;
  /** Apply a change made elsewhere (another device, a manager). */
  apply(change: Change): Receipt;
  /** LV3: the live `changes` message a stream following from `from` would get now. */
  changesSince(from: string): LiveChanges;
}

export function createFakeServer(now: () => number): FakeServer {
  const states = new Map<string, Stored>();
  const receipts = new Map<string, { hash: string; receipt: OriginalReceipt }>();
  const applied = new Map<string, number>();
  const stats = { pushCalls: 0, pullCalls: 0, concurrent: 0, maxConcurrent: 0, changesReceived: 0, batchSizes: [] as number[] };
  let seq = 0;
  const key = (entity: string, id: string) => `${entity}/${id}`;
  const serverHlc = () => formatHlc({ wallMs: now(), counter: 0, node: 'server' });
  // Yield to the macrotask queue so concurrent requests would overlap here.
  const yieldTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

  function receive(raw: unknown): Receipt {
    const parsed = ChangeSchema.safeParse(raw);
    const id = (raw as { id: string }).id;
    if (!parsed.success) return { changeId: id as Receipt['changeId'], status: 'refused', code: 'invalid_change', reason: parsed.error.issues[0]?.message ?? 'invalid' };
    const change = parsed.data;
    const hash = canonicalJson(changeContent(change));
    const prior = receipts.get(change.id);
    if (prior) {
      return prior.hash === hash
        ? { changeId: change.id, status: 'duplicate', original: prior.receipt }
        : { changeId: change.id, status: 'refused', code: 'id_reused', reason: 'This change id was used for other content.' };
    }
    const k = key(change.entity, change.entityId);
    const result = applyChange(states.get(k) ?? null, change);
    let receipt: OriginalReceipt;
    if (result.kind === 'refused') {
      receipt = { changeId: change.id, status: 'refused', code: result.code, reason: result.reason };
    } else {
      seq++;
      states.set(k, { ...result.state, lastSeq: seq });
      applied.set(change.id, (applied.get(change.id) ?? 0) + 1);
      receipt =
        result.kind === 'applied'
          ? { changeId: change.id, status: 'applied', version: result.state.version, seq, superseded: result.superseded }
          : { changeId: change.id, status: 'conflict', version: result.state.version, seq, conflictId: `c${seq}`, fields: result.fields, reason: result.reason };
    }
    receipts.set(change.id, { hash, receipt });
    return receipt;
  }

  /** PL1: a page after `cursor`; the last page ends at the newest sequence number. */
  function page(cursor: string | null, limit: number): PullResponse {
    const after = Number(cursor || 0);
    const newer = [...states.values()].filter((s) => s.lastSeq > after).sort((a, b) => a.lastSeq - b.lastSeq);
    const taken = newer.slice(0, limit);
    const records: PulledRecord[] = taken.map(({ lastSeq: _lastSeq, ...s }) => ({
      entity: s.entity,
      entityId: s.entityId,
      version: s.version,
      deleted: s.deleted,
      fields: { ...s.fields },
      clocks: { ...s.clocks },
    }));
    const more = newer.length > taken.length;
    const next = more ? (taken.at(-1)?.lastSeq ?? after) : Math.max(after, seq);
    return { ok: true, protocolVersion: PROTOCOL_VERSION, records, cursor: String(next), more, serverHlc: serverHlc() };
  }

  const server: FakeServer = {
    script: { push: [], pull: [] },
    maxBatch: 500,
    applied,
    stats,
    onPush: null,
    entity: (entity, id) => {
      const s = states.get(key(entity, id));
      if (!s) return undefined;
      const { lastSeq: _lastSeq, ...state } = s;
      return state;
    },
    apply: (change) => receive(change),
    changesSince(from) {
      const { records, cursor, serverHlc: hlc } = page(from, 100);
      return { type: 'changes', from, cursor, records, serverHlc: hlc };
    },
    transport: {
      async push(request) {
        stats.pushCalls++;
        stats.batchSizes.push(request.changes.length);
        stats.concurrent++;
        stats.maxConcurrent = Math.max(stats.maxConcurrent, stats.concurrent);
        try {
          await yieldTurn();
          await server.onPush?.();
          const step = server.script.push.shift();
          if (step && step.kind !== 'lose-answer') return step;
          if (request.changes.length > server.maxBatch) return { kind: 'too-large', message: 'The request is too large.' };
          stats.changesReceived += request.changes.length;
          const answers = request.changes.map(receive);
          if (step?.kind === 'lose-answer') return { kind: 'transient', reason: 'The connection dropped.', offline: true };
          return { kind: 'ok', body: { ok: true, protocolVersion: PROTOCOL_VERSION, receipts: answers, serverHlc: serverHlc() } };
        } finally {
          stats.concurrent--;
        }
      },
      async pull(cursor, limit) {
        stats.pullCalls++;
        await yieldTurn();
        const step = server.script.pull.shift();
        if (step) return step;
        return { kind: 'ok', body: page(cursor, limit) };
      },
    },
  };
  return server;
}
