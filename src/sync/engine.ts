import { LIMITS, PROTOCOL_VERSION } from '../../protocol/index.ts';
import type { LiveChanges, LiveHello, PulledRecord, PushRequest, PushResponse } from '../../protocol/index.ts';
import { OUTBOX_STATES } from '../data/db.ts';
import type { OutboxRow, OutpostDb, SyncLogContext } from '../data/db.ts';
import { getMeta, setMeta } from '../data/meta.ts';
import { countByState, peekDrain, pruneAcked, release, resetSending, settle, takeBatch, unsend } from '../data/outbox.ts';
import type { OutboxCounts, SettleSummary } from '../data/outbox.ts';
import { appendSyncLog } from '../data/sync-log.ts';
import { rowToChange } from '../data/visible.ts';
import { BACKOFF_CAP_MS, backoffDelay } from './backoff.ts';
import { SYNC_LOCK } from './locks.ts';
import { priorityWindow } from './priority.ts';
import type { PriorityWindow } from './priority.ts';
import type { LocksLike } from './locks.ts';
import type { ClockLike, TimersLike } from './timers.ts';
import type { SyncTransport, TransportResult } from './transport.ts';

/** SY5 phases. */
export type SyncPhase = 'idle' | 'pushing' | 'pulling' | 'backoff' | 'signed-out' | 'update-required' | 'offline';

/** SY5: what the UI derives "saved" / "synced" from, with the outbox. */
export interface SyncStatus {
  readonly phase: SyncPhase;
  readonly counts: OutboxCounts;
  readonly lastSyncAt: number | null;
  readonly lastError: string | null;
  readonly nextRetryAt: number | null;
}

/** Why a drain was asked for (SY3). */
export type SyncReason = 'start' | 'online' | 'visible' | 'periodic' | 'poke' | 'write' | 'sw-sync' | 'manual' | 'retry' | 'resume';

/** Triggers a context feeds in (the page: `online`, `visibilitychange`, live-channel pokes). Kept free of DOM types. */
export type TriggerEvent = 'online' | 'visible' | 'poke' | 'write';
export interface TriggerSource {
  /**
   * Call `onTrigger` for each event; return a function that stops it. A poke may come with the records
   * it announces (LV3): the drain it asks for applies them instead of pulling when they follow on. A
   * stream's hello comes with the cursor the stream follows from: the drain pulls if the device is elsewhere.
   */
  subscribe(onTrigger: (event: TriggerEvent, live?: LiveMessageToFollow) => void): () => void;
}

/** What the live channel brings for the drain to follow (LV3): records, or where a stream starts. */
export type LiveMessageToFollow = LiveChanges | (LiveHello & { readonly cursor: string });

/** Live messages kept for the next pass (LV3); older ones are dropped (the pass then pulls). */
const MAX_LIVE_QUEUED = 32;

/** SY4: these retry at once even during a backoff; the others wait for the retry timer. */
const URGENT: ReadonlySet<SyncReason> = new Set(['start', 'online', 'manual', 'sw-sync', 'resume']);

export type DrainOutcome = 'synced' | 'skipped' | 'backoff' | 'offline' | 'signed-out' | 'update-required' | 'rejected' | 'error';

export interface DrainResult {
  readonly outcome: DrainOutcome;
  /** Rows settled by push answers (acked, refused or conflict). */
  readonly pushed: number;
  /** Pulled records applied to the base. */
  readonly pulled: number;
  /** Drain passes run under the lock for this call (SY1: a trigger during a drain adds one). */
  readonly passes: number;
}

/** What the engine needs of the reconciler: the Comlink proxy of ReconcilerApi fits, so does createReconciler(). */
export interface ReconcilerLike {
  /** `cursor` null: records that come without one (PL5); no cursor is stored. */
  applyPulled(records: PulledRecord[], cursor: string | null, serverHlc: string, fromCursor?: string | null): Promise<unknown>;
}

export interface SyncEngineDeps {
  readonly db: OutpostDb;
  readonly transport: SyncTransport;
  readonly reconciler: ReconcilerLike;
  readonly locks: LocksLike;
  readonly clock: ClockLike;
  readonly timers: TimersLike;
  readonly random: () => number;
  readonly batchSize?: number;
  readonly pullLimit?: number;
  /** Periodic trigger while started (SY3). */
  readonly periodMs?: number;
  readonly protocolVersion?: number;
  /**
   * Which context runs this engine ('page' | 'service-worker'). When set, every drain pass is recorded in
   * the `syncLog` table for the diagnostics page (DG3), after the pass and outside the sync lock; a failure
   * to record is ignored. Without it nothing is recorded (Node tests, benchmarks).
   */
  readonly context?: SyncLogContext;
  /**
   * PL5: the dates a device that has never pulled asks for first (default: its own week,
   * `priorityWindow`); null turns the priority pull off. Used only when the transport has `pullPriority`.
   */
  readonly priorityWindow?: ((nowMs: number) => PriorityWindow) | null;
}

export interface SyncEngine {
  /** Run a drain now (or one more pass after the running one, SY1). Never rejects. */
  syncNow(reason?: SyncReason): Promise<DrainResult>;
  /** Start triggers: an immediate drain, the periodic timer and `triggers` (SY3). */
  start(triggers?: TriggerSource): void;
  /** Stop triggers and timers; resolves when a running drain has finished. */
  stop(): Promise<void>;
  /** After sign-in (or an update): leave `signed-out` / `update-required` and drain. */
  resume(): Promise<DrainResult>;
  status(): SyncStatus;
  /** Listen to status events (called at once with the current status). */
  subscribe(listener: (status: SyncStatus) => void): () => void;
  /** Re-read counts and last sync time (e.g. after a local write). */
  refresh(): Promise<SyncStatus>;
}

const EMPTY_COUNTS: OutboxCounts = { pending: 0, sending: 0, acked: 0, refused: 0, conflict: 0 };

type Failure = Exclude<TransportResult<unknown>, { kind: 'ok' }> | { kind: 'error'; reason: string };

export function createSyncEngine(deps: SyncEngineDeps): SyncEngine {
  const { db, transport, reconciler, locks, clock, timers, random } = deps;
  // Full batches by default (PU1 allows 500): a catch-up costs a push round trip and two outbox
  // transactions per batch, so fewer, larger batches drain faster (bench/: catch-up). A batch over the
  // server's body limit is split in half on 413 (PU7).
  const batchSize = Math.max(1, Math.min(deps.batchSize ?? LIMITS.maxChangesPerPush, LIMITS.maxChangesPerPush));
  const pullLimit = Math.max(1, Math.min(deps.pullLimit ?? 500, LIMITS.maxPullLimit));
  const windowOf = deps.priorityWindow === undefined ? priorityWindow : deps.priorityWindow;
  const periodMs = deps.periodMs ?? 60_000;
  const protocolVersion = deps.protocolVersion ?? PROTOCOL_VERSION;

  let status: SyncStatus = { phase: 'idle', counts: EMPTY_COUNTS, lastSyncAt: null, lastError: null, nextRetryAt: null };
  const listeners = new Set<(status: SyncStatus) => void>();
  let paused: 'signed-out' | 'update-required' | null = null;
  let current: Promise<DrainResult> | null = null;
  let again = false;
  /** An urgent trigger (SY4) arrived during the running pass: one more pass even if that one fails. */
  let againUrgent = false;
  let failures = 0;
  let retryHandle: unknown = null;
  let periodicHandle: unknown = null;
  let unsubscribeTriggers: (() => void) | null = null;
  let started = false;
  /** The trigger that asked for the next pass (SY1), for the sync log. */
  let nextReason: SyncReason = 'manual';
  /** LV3: `changes` messages received since the last pass took them, oldest first. */
  let liveQueue: LiveMessageToFollow[] = [];
  /** LV3: something other than live records asked for a pass since the last one started: it must pull. */
  let pullAsked = false;
  /** Sync log writes, one after another, never awaited by a drain (DG3). */
  let logging: Promise<void> = Promise.resolve();

  /** DG3: record one finished pass. Off the send path: queued behind earlier records, errors ignored. */
  function record(reason: SyncReason, outcome: DrainOutcome, startedAt: number, counters: { pushed: number; pulled: number }): void {
    const context = deps.context;
    if (context === undefined) return;
    const at = clock.now();
    const entry = {
      at,
      context,
      reason,
      outcome,
      durationMs: Math.max(0, at - startedAt),
      pushed: counters.pushed,
      pulled: counters.pulled,
      error: outcome === 'synced' ? null : status.lastError,
    };
    logging = logging.then(() => appendSyncLog(db, entry)).then(
      () => undefined,
      () => undefined, // e.g. the disk is full or the database closed for an upgrade: diagnostics only
    );
  }

  function notify(): void {
    for (const listener of listeners) {
      try {
        listener(status);
      } catch {
        // a listener's failure must not break the drain
      }
    }
  }

  /**
   * SY5 counts. A drain does not recount the outbox (five index counts over every row) for each batch,
   * nor before any request: it shifts the counts by the rows each of its own committed transactions
   * moved (`shift`), counts once after its first request has left (an event follows if the counts
   * shown were off) and once at its end. Every shift bumps `countGen`; a count that was issued
   * before a shift may or may not include that transaction, so its result is dropped and it is counted
   * again (a count issued after a commit resolved always includes it).
   */
  let countGen = 0;

  function shift(delta: Partial<OutboxCounts>): void {
    const counts = { ...status.counts };
    for (const [state, n] of Object.entries(delta) as [keyof OutboxCounts, number][]) counts[state] = Math.max(0, counts[state] + n);
    countGen++;
    status = { ...status, counts };
  }

  /** Set `status.counts` from the outbox (see `countGen`). */
  async function recount(read: () => Promise<OutboxCounts> = () => countByState(db)): Promise<OutboxCounts> {
    for (let attempt = 0; ; attempt++) {
      const gen = countGen;
      const counts = await read();
      if (gen === countGen || attempt >= 3) {
        if (gen === countGen) status = { ...status, counts };
        return counts;
      }
    }
  }

  /** Recount (see `countGen`) and publish an event only if the counts shown changed. Never rejects. */
  async function recountAndNotify(): Promise<void> {
    const shown = status.counts;
    try {
      await recount();
    } catch {
      return; // the drain's own end-of-drain count reports the failure, if it persists
    }
    if (OUTBOX_STATES.some((state) => status.counts[state] !== shown[state])) notify();
  }

  /** SY5: publish a status event now, with the counts as they stand (no database read). */
  function publish(patch: Partial<SyncStatus>): void {
    status = { ...status, ...patch };
    notify();
  }

  /** SY5: publish a status event with fresh counts. */
  async function emit(patch: Partial<SyncStatus>): Promise<void> {
    status = { ...status, ...patch };
    try {
      const [, lastSyncAt] = await Promise.all([recount(), status.lastSyncAt ?? getMeta(db, 'lastSyncAt')]);
      status = { ...status, lastSyncAt: lastSyncAt ?? null };
    } catch {
      // counts stay as they were (e.g. the database closed for an upgrade)
    }
    notify();
  }

  function cancelRetry(): void {
    if (retryHandle !== null) timers.clearTimeout(retryHandle);
    retryHandle = null;
  }

  function scheduleRetry(delayMs: number): number {
    cancelRetry();
    const at = clock.now() + delayMs;
    retryHandle = timers.setTimeout(() => {
      retryHandle = null;
      void syncNow('retry');
    }, delayMs);
    return at;
  }

  function schedulePeriodic(): void {
    periodicHandle = timers.setTimeout(() => {
      periodicHandle = null;
      if (!started) return;
      void syncNow('periodic');
      schedulePeriodic();
    }, periodMs);
  }

  /** PU7 / SY4 for a failed push or pull. */
  async function fail(failure: Failure, counters: { pushed: number; pulled: number }): Promise<Omit<DrainResult, 'passes'>> {
    switch (failure.kind) {
      case 'auth':
        paused = 'signed-out';
        cancelRetry();
        await emit({ phase: 'signed-out', lastError: failure.reason, nextRetryAt: null });
        return { outcome: 'signed-out', ...counters };
      case 'too-old':
        paused = 'update-required';
        cancelRetry();
        await emit({ phase: 'update-required', lastError: failure.message, nextRetryAt: null });
        return { outcome: 'update-required', ...counters };
      case 'too-large':
      case 'rejected': {
        // Any other 4xx (or one change too large on its own): keep the rows, back off at the cap.
        failures++;
        const nextRetryAt = scheduleRetry(BACKOFF_CAP_MS);
        await emit({ phase: 'backoff', lastError: failure.message, nextRetryAt });
        return { outcome: 'rejected', ...counters };
      }
      case 'transient':
      case 'error': {
        failures++;
        const retryAfter = failure.kind === 'transient' ? failure.retryAfterMs : undefined;
        const nextRetryAt = scheduleRetry(retryAfter ?? backoffDelay(failures, random));
        const offline = failure.kind === 'transient' && failure.offline === true;
        await emit({ phase: offline ? 'offline' : 'backoff', lastError: failure.reason, nextRetryAt });
        return { outcome: failure.kind === 'error' ? 'error' : offline ? 'offline' : 'backoff', ...counters };
      }
    }
  }

  function reasonOf(failure: Exclude<TransportResult<unknown>, { kind: 'ok' }>): string {
    return failure.kind === 'transient' || failure.kind === 'auth' ? failure.reason : failure.message;
  }

  /** A push request; a transport that throws is a transient failure (PU7). */
  async function push(request: PushRequest): Promise<TransportResult<PushResponse>> {
    try {
      return await transport.push(request);
    } catch (err) {
      return { kind: 'transient', reason: err instanceof Error ? err.message : String(err) };
    }
  }

  /** Rows moved by a settle: out of `sending`, into their receipt's state (PU7). */
  function settled(summary: SettleSummary): void {
    shift({ sending: -(summary.acked + summary.refused + summary.conflict), acked: summary.acked, refused: summary.refused, conflict: summary.conflict });
  }

  /**
   * LV3: apply the live messages that follow on from `cursor`, in order, each as a pulled page (PL3
   * compare-and-set). Returns the cursor reached and whether every message followed on (false: one was
   * missed, so only a pull can bring the device up to date).
   */
  async function followLive(cursor: string | null, counters: { pulled: number }): Promise<{ cursor: string | null; followed: boolean }> {
    const messages = liveQueue;
    liveQueue = [];
    for (const message of messages) {
      if (cursor === message.cursor) continue; // already there (the device's own pull got it first)
      // A stream that starts elsewhere (a hello) or records that do not follow on: only a pull catches up.
      if (message.type === 'hello' || cursor === null || cursor !== message.from) return { cursor, followed: false };
      const report = (await reconciler.applyPulled(message.records, message.cursor, message.serverHlc, message.from)) as
        | { applied?: number; cursorStored?: boolean }
        | undefined;
      counters.pulled += report?.applied ?? 0;
      if (report?.cursorStored === false) return { cursor, followed: false };
      cursor = message.cursor;
    }
    return { cursor, followed: true };
  }

  /** One drain (SY2), run inside the sync lock (SY1). */
  async function drainOnce(): Promise<Omit<DrainResult, 'passes'>> {
    // LV3: a pass asked for only by live records (already applied below) needs no pull request.
    const mustPull = pullAsked;
    pullAsked = false;
    const counters = { pushed: 0, pulled: 0 };
    /** Settles of pushed batches still committing (the next batch is pushed meanwhile). */
    let settling: Promise<unknown> = Promise.resolve();
    let settleFailed = false;
    /** The next batch, taken (and committed as `sending`) while the current one is on the network. */
    let nextBatch: Promise<OutboxRow[]> | null = null;
    try {
      // Everything the drain needs to know before its first request, in one read-only transaction
      // (index probes and meta, no counts): a pull-only drain (e.g. after a poke) goes straight to its pull.
      const start = await peekDrain(db);
      if (status.lastSyncAt === null && start.lastSyncAt !== null) status = { ...status, lastSyncAt: start.lastSyncAt };
      if (start.sending) {
        // OB4: we hold the lock, so any `sending` row is orphaned.
        const back = await resetSending(db, clock.now());
        shift({ sending: -back, pending: back });
      }
      const deviceId = start.deviceId;
      let size = batchSize;
      let rows = start.pending || start.sending ? await takeBatch(db, size, clock.now(), { probe: false }) : [];
      shift({ pending: -rows.length, sending: rows.length });
      /** SY5: the drain's one full count, issued once its first request has left (never awaited before one). */
      let counted: Promise<void> | null = null;
      const countOnce = (): void => {
        counted ??= recountAndNotify();
      };
      while (rows.length) {
        const first = rows[0] as OutboxRow;
        publish({ phase: 'pushing' });
        // OB4 / PU1: these rows are committed as `sending` before their push leaves.
        const pushing = push({ protocolVersion, deviceId: deviceId ?? first.deviceId, changes: rows.map(rowToChange) });
        countOnce();
        // Take the next batch while this one is on the network. When this one is shorter than a batch,
        // that is a read-only check for rows written meanwhile.
        nextBatch = takeBatch(db, size, clock.now(), { probe: rows.length < size });
        nextBatch.catch(() => undefined); // awaited below; never an unhandled rejection
        const result = await pushing;
        if (result.kind === 'ok') {
          // PU7 per receipt; SY6: the server clock is merged in the same transaction. The settle commits
          // while the next batch is pushed: receipts are per change, and a row stays `sending` (so it
          // is sent again if this context dies, PU3) until its settle has committed.
          const sent = rows;
          const settle_ = settle(db, result.body.receipts, clock.now(), { sent, serverHlc: result.body.serverHlc }).then(
            (summary) => {
              settled(summary);
              counters.pushed += sent.length;
            },
            (err: unknown) => {
              settleFailed = true;
              throw err;
            },
          );
          settling = Promise.all([settling, settle_]);
          settling.catch(() => undefined); // awaited before the pull or on the way out
          failures = 0;
          rows = await nextBatch;
          nextBatch = null;
          // A settle that failed (e.g. the database closed for an upgrade) stops the drain before the next push.
          if (settleFailed) await settling;
          shift({ pending: -rows.length, sending: rows.length });
          continue;
        }
        await settling;
        const unsent = await nextBatch;
        nextBatch = null;
        const back = await unsend(db, unsent, clock.now()); // never pushed: not an attempt (OB5)
        shift({ sending: -back, pending: back });
        const released = await release(db, rows, reasonOf(result), clock.now()); // OB3: sending → pending
        shift({ sending: -released, pending: released });
        if (result.kind === 'too-large' && rows.length > 1) {
          size = Math.max(1, Math.floor(rows.length / 2)); // PU7: split the batch in half and resend
          rows = await takeBatch(db, size, clock.now());
          shift({ pending: -rows.length, sending: rows.length });
          continue;
        }
        if (result.kind === 'too-large') {
          return await fail({ kind: 'rejected', status: 413, message: `A change is larger than the server accepts: ${result.message}` }, counters);
        }
        return await fail(result, counters); // SY2: a transport failure skips the pull
      }
      await settling;

      publish({ phase: 'pulling' });
      // A push phase took time: read the cursor again. A pull-only drain uses the one read at its start.
      let cursor = counters.pushed > 0 ? ((await getMeta(db, 'cursor')) ?? null) : start.cursor;
      // LV3: records the live channel brought; a poke's pass that they bring up to date needs no pull.
      const followed = await followLive(cursor, counters);
      cursor = followed.cursor;
      const pullNeeded = mustPull || !followed.followed || counters.pushed > 0;
      if (pullNeeded && cursor === null && windowOf !== null && transport.pullPriority) {
        // PL5: a device that has never pulled shows its week first; the pull by cursor then brings the rest.
        const { from, to } = windowOf(clock.now());
        const first = await transport.pullPriority(from, to, pullLimit);
        if (first.kind === 'ok') {
          const report = (await reconciler.applyPulled(first.body.records, null, first.body.serverHlc)) as { applied?: number } | undefined;
          counters.pulled += report?.applied ?? 0;
        } else if (first.kind !== 'rejected') {
          return await fail(first, counters);
        } // rejected (a server without the route answers 404): pull by cursor only
      }
      let pending = pullNeeded ? transport.pull(cursor, pullLimit) : null;
      countOnce();
      while (pending) {
        const result = await pending;
        if (result.kind !== 'ok') return await fail(result, counters);
        const { records, cursor: next, more, serverHlc } = result.body;
        // SY2: until `more` is false (and never spin on one cursor). The next page is requested while
        // this one is reconciled (a first sync overlaps the network with IndexedDB, bench/: first sync);
        // the reconciler's cursor compare-and-set (PL3) keeps the order safe.
        const ahead = more && next !== cursor ? transport.pull(next, pullLimit) : null;
        const report = (await reconciler.applyPulled(records, next, serverHlc, cursor)) as { applied?: number } | undefined;
        counters.pulled += report?.applied ?? 0;
        cursor = next;
        pending = ahead;
      }
      failures = 0;
      const at = clock.now();
      // OB7: the reconciler prunes the acked rows of what it pulled back; the end-of-drain count says
      // whether any is left for pruneAcked (usually none: no rw transaction then).
      const saved = setMeta(db, 'lastSyncAt', at);
      await counted;
      const counts = await recount();
      if (counts.acked > 0 && (await pruneAcked(db)) > 0) await recount();
      await saved;
      publish({ phase: 'idle', lastSyncAt: at, lastError: null, nextRetryAt: null });
      return { outcome: 'synced', ...counters };
    } catch (err) {
      // Nothing may be left running against the database: a taken-ahead batch stays `sending` until
      // the next drain resets it (OB4), like the rows of a push in flight.
      await Promise.allSettled([settling, nextBatch]);
      if (db.closedForUpgrade) {
        // VR2: this context's code is old; stop sending until the app reloads.
        return await fail({ kind: 'too-old', message: 'A newer version of Outpost is open on this device. Reload to continue.' }, counters);
      }
      // Rows left `sending` go back at the next drain (OB4).
      return await fail({ kind: 'error', reason: err instanceof Error ? err.message : String(err) }, counters);
    }
  }

  async function run(reason: SyncReason): Promise<DrainResult> {
    let passes = 0;
    let result: Omit<DrainResult, 'passes'> = { outcome: 'skipped', pushed: 0, pulled: 0 };
    let pushed = 0;
    let pulled = 0;
    let passReason = reason;
    let startedAt = clock.now();
    try {
      do {
        again = false;
        againUrgent = false;
        if (passes > 0) cancelRetry(); // this pass is the retry a failed one scheduled
        passes++;
        result = await locks.request(SYNC_LOCK, { mode: 'exclusive' }, () => {
          startedAt = clock.now();
          return drainOnce();
        });
        pushed += result.pushed;
        pulled += result.pulled;
        record(passReason, result.outcome, startedAt, result);
        passReason = nextReason;
        // SY1: triggers during the drain asked for exactly one more pass — after a failed pass only an
        // urgent one (SY4: it cancelled the retry the failed pass may have scheduled, so it must run now).
      } while (again && (result.outcome === 'synced' || againUrgent) && paused === null);
    } catch (err) {
      result = { outcome: 'error', pushed, pulled };
      await emit({ lastError: err instanceof Error ? err.message : String(err) });
      record(passReason, 'error', startedAt, { pushed: 0, pulled: 0 });
    } finally {
      current = null;
    }
    return { outcome: result.outcome, pushed, pulled, passes };
  }

  function syncNow(reason: SyncReason = 'manual'): Promise<DrainResult> {
    pullAsked = true;
    return ask(reason);
  }

  /** SY1 / SY4: run a pass now, or ask the running one for one more. */
  function ask(reason: SyncReason): Promise<DrainResult> {
    if (paused !== null) return Promise.resolve({ outcome: 'skipped', pushed: 0, pulled: 0, passes: 0 });
    if (URGENT.has(reason)) {
      cancelRetry(); // SY4: going online or "sync now" retries at once
    } else if (retryHandle !== null) {
      return Promise.resolve({ outcome: 'skipped', pushed: 0, pulled: 0, passes: 0 });
    }
    if (current) {
      again = true;
      if (URGENT.has(reason)) againUrgent = true;
      nextReason = reason;
      return current;
    }
    current = run(reason);
    return current;
  }

  return {
    syncNow,
    start(triggers) {
      if (started) return;
      started = true;
      unsubscribeTriggers =
        triggers?.subscribe((event, live) => {
          if (live) {
            // LV3: the records ride with the poke (or a stream says where it starts); the pass applies
            // them and pulls only if they do not follow on from the device's cursor.
            liveQueue = [...liveQueue, live].slice(-MAX_LIVE_QUEUED);
            void ask(event);
          } else {
            void syncNow(event);
          }
        }) ?? null;
      schedulePeriodic();
      void syncNow('start');
    },
    async stop() {
      started = false;
      unsubscribeTriggers?.();
      unsubscribeTriggers = null;
      if (periodicHandle !== null) timers.clearTimeout(periodicHandle);
      periodicHandle = null;
      cancelRetry();
      if (current) await current;
      await logging; // DG3: the last pass's record is written before the database may close
    },
    resume() {
      paused = null;
      failures = 0;
      status = { ...status, phase: 'idle', lastError: null };
      notify(); // SY5: listeners see the pause end at once, not at the next drain's event
      return syncNow('resume');
    },
    status: () => status,
    subscribe(listener) {
      listeners.add(listener);
      listener(status);
      return () => listeners.delete(listener);
    },
    async refresh() {
      await emit({});
      return status;
    },
  };
}
