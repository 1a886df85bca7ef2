/**
 * "Can this context reach the server right now?" (DG2). The page and the service worker each run the same
 * probe with their own `fetch`, because DevTools' offline switches (and Playwright's) may act on one and not
 * the other (FIELD-NOTES). A probe is a plain `GET /api/health` with `cache: 'no-store'`; it never touches
 * the outbox or the sync lock.
 */
import { systemTimers } from './timers.ts';
import type { TimersLike } from './timers.ts';

export const HEALTH_PATH = '/api/health';
export const PROBE_TIMEOUT_MS = 8_000;

export type ProbeResult =
  /** The server answered 2xx. */
  | { readonly kind: 'ok'; readonly status: number; readonly ms: number }
  /** Something answered, but not with 2xx (a proxy, a captive portal, the server in trouble). */
  | { readonly kind: 'http'; readonly status: number; readonly ms: number }
  /** No answer at all: offline, DNS, connection refused. */
  | { readonly kind: 'network'; readonly error: string; readonly ms: number }
  /** No answer within PROBE_TIMEOUT_MS. */
  | { readonly kind: 'timeout'; readonly ms: number };

/** Asked of the service worker by a page, with a MessagePort to answer on. */
export type ProbeRequestMessage = { readonly type: 'PROBE' };

/** The service worker's answer on that port. */
export interface ProbeReplyMessage {
  readonly type: 'PROBE_RESULT';
  /** The worker's build (BUILD_ID). */
  readonly version: string;
  readonly result: ProbeResult;
}

export function isProbeRequest(data: unknown): data is ProbeRequestMessage {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'PROBE';
}

export function isProbeReply(data: unknown): data is ProbeReplyMessage {
  if (typeof data !== 'object' || data === null) return false;
  const d = data as { type?: unknown; version?: unknown; result?: unknown };
  return d.type === 'PROBE_RESULT' && typeof d.version === 'string' && typeof d.result === 'object' && d.result !== null;
}

export interface ProbeDeps {
  readonly fetch: (input: string, init: RequestInit) => Promise<Response>;
  readonly now?: () => number;
  readonly timers?: TimersLike;
  readonly timeoutMs?: number;
}

/** Fetch /api/health once, never from a cache; never rejects. */
export async function probeServer(deps: ProbeDeps): Promise<ProbeResult> {
  const now = deps.now ?? (() => performance.now());
  const timers = deps.timers ?? systemTimers;
  const timeoutMs = deps.timeoutMs ?? PROBE_TIMEOUT_MS;
  const started = now();
  const elapsed = (): number => Math.max(0, Math.round(now() - started));
  const controller = new AbortController();
  let handle: unknown;
  const timeout = new Promise<ProbeResult>((resolve) => {
    handle = timers.setTimeout(() => {
      controller.abort();
      resolve({ kind: 'timeout', ms: elapsed() });
    }, timeoutMs);
  });
  const exchange = (async (): Promise<ProbeResult> => {
    try {
      const response = await deps.fetch(HEALTH_PATH, { cache: 'no-store', credentials: 'same-origin', signal: controller.signal });
      const ms = elapsed();
      return response.ok ? { kind: 'ok', status: response.status, ms } : { kind: 'http', status: response.status, ms };
    } catch (err) {
      return { kind: 'network', error: err instanceof Error ? err.message : String(err), ms: elapsed() };
    }
  })();
  try {
    return await Promise.race([exchange, timeout]);
  } finally {
    timers.clearTimeout(handle);
  }
}
