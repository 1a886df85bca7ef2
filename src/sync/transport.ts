import {
  ErrorResponseSchema,
  PROTOCOL_HEADER,
  PROTOCOL_VERSION,
  PriorityPullResponseSchema,
  PullResponseSchema,
  PushResponseSchema,
  REQUEST_ID_HEADER,
} from '../../protocol/index.ts';
import type { PriorityPullResponse, PullResponse, PushRequest, PushResponse } from '../../protocol/index.ts';
import { parseRetryAfter } from './backoff.ts';
import { systemTimers } from './timers.ts';
import type { TimersLike } from './timers.ts';

/**
 * A sync request's outcome, classified as PU7 needs it. The transport never
 * throws for network or server trouble; it says what kind of trouble it was.
 */
export type TransportResult<T> =
  | { readonly kind: 'ok'; readonly body: T }
  /** Retry later (network error, timeout, 5xx, 408, 429, a 200 that breaks PU5). */
  | { readonly kind: 'transient'; readonly reason: string; readonly retryAfterMs?: number; readonly offline?: boolean }
  /** 401, 403: sending waits for sign-in (AU2). */
  | { readonly kind: 'auth'; readonly reason: string }
  /** 426 client_too_old: the app must update (SV2). */
  | { readonly kind: 'too-old'; readonly message: string }
  /** 413: split the batch (PU7). */
  | { readonly kind: 'too-large'; readonly message: string }
  /** Any other 4xx: the server's message, rows stay queued. */
  | { readonly kind: 'rejected'; readonly status: number; readonly message: string };

export interface SyncTransport {
  push(request: PushRequest): Promise<TransportResult<PushResponse>>;
  pull(cursor: string | null, limit: number): Promise<TransportResult<PullResponse>>;
  /** PL5: the jobs scheduled from `from` to `to` (YYYY-MM-DD) and their reports, before a first pull. */
  pullPriority?(from: string, to: string, limit: number): Promise<TransportResult<PriorityPullResponse>>;
}

export interface HttpTransportOptions {
  /** Origin (and path prefix) of the sync server; '' for the app's own origin. */
  readonly baseUrl: string;
  /** Bound fetch of the context (`fetch.bind(globalThis)`), or a fake. */
  readonly fetch: (input: string, init: RequestInit) => Promise<Response>;
  readonly timeoutMs?: number;
  readonly protocolVersion?: number;
  readonly requestId?: () => string;
  readonly now?: () => number;
  readonly timers?: TimersLike;
}

type Raw = { readonly status: number; readonly headers: Headers; readonly text: string } | { readonly failed: 'timeout' | 'network'; readonly detail: string };

function errorMessage(text: string, fallback: string): { code?: string; message: string } {
  try {
    const parsed = ErrorResponseSchema.safeParse(JSON.parse(text));
    if (parsed.success) return { code: parsed.data.error, message: parsed.data.message };
  } catch {
    // not JSON: fall through
  }
  return { message: fallback };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The fetch-based transport (cookies ride along with `credentials: 'same-origin'`; no tokens here). */
export function createHttpTransport(options: HttpTransportOptions): SyncTransport {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const protocolVersion = options.protocolVersion ?? PROTOCOL_VERSION;
  const requestId = options.requestId ?? (() => crypto.randomUUID());
  const now = options.now ?? (() => Date.now());
  const timers = options.timers ?? systemTimers;
  const base = options.baseUrl.replace(/\/+$/, '');

  async function send(path: string, init: RequestInit): Promise<Raw> {
    const controller = new AbortController();
    let handle: unknown;
    const timeout = new Promise<Raw>((resolve) => {
      handle = timers.setTimeout(() => {
        controller.abort();
        resolve({ failed: 'timeout', detail: `no answer within ${Math.round(timeoutMs / 1000)} s` });
      }, timeoutMs);
    });
    const exchange = (async (): Promise<Raw> => {
      try {
        const response = await options.fetch(`${base}${path}`, {
          ...init,
          credentials: 'same-origin',
          signal: controller.signal,
          headers: {
            ...(init.headers as Record<string, string> | undefined),
            [PROTOCOL_HEADER]: String(protocolVersion),
            [REQUEST_ID_HEADER]: requestId(),
          },
        });
        // The body is read under the same timeout: a stalled body is a timeout too.
        return { status: response.status, headers: response.headers, text: await response.text() };
      } catch (err) {
        return { failed: 'network', detail: err instanceof Error ? err.message : String(err) };
      }
    })();
    try {
      return await Promise.race([exchange, timeout]);
    } finally {
      timers.clearTimeout(handle);
    }
  }

  /** PU7 classification of everything that is not a 2xx. */
  function classifyFailure(raw: Raw): TransportResult<never> {
    if ('failed' in raw) {
      return raw.failed === 'timeout'
        ? { kind: 'transient', reason: `The server did not answer in time (${raw.detail}).` }
        : { kind: 'transient', reason: `The server could not be reached (${raw.detail}).`, offline: true };
    }
    const { status, text } = raw;
    const { message } = errorMessage(text, `The server answered ${status}.`);
    const retryAfterMs = parseRetryAfter(raw.headers.get('retry-after'), now());
    const retry = retryAfterMs === undefined ? {} : { retryAfterMs };
    if (status === 401 || status === 403) return { kind: 'auth', reason: message };
    if (status === 426) return { kind: 'too-old', message };
    if (status === 413) return { kind: 'too-large', message };
    if (status === 408 || status === 429 || status >= 500) return { kind: 'transient', reason: message, ...retry };
    if (status >= 400) return { kind: 'rejected', status, message };
    return { kind: 'transient', reason: `Unexpected answer ${status} from the server.`, ...retry };
  }

  const notSync = (what: string): TransportResult<never> => ({
    kind: 'transient',
    // PU5: a captive portal or login page can answer 200; only a real sync answer counts.
    reason: `The answer to ${what} was not a sync answer (a captive portal or proxy?); changes stay queued.`,
  });

  return {
    async push(request) {
      const raw = await send('/api/sync/push', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
      });
      if ('failed' in raw || raw.status < 200 || raw.status > 299) return classifyFailure(raw);
      const parsed = PushResponseSchema.safeParse(parseJson(raw.text));
      if (!parsed.success) return notSync('push');
      const receipts = parsed.data.receipts;
      // PU5: one receipt per change, ids matching, in order.
      if (receipts.length !== request.changes.length || receipts.some((r, i) => r.changeId !== request.changes[i]?.id)) {
        return notSync('push');
      }
      return { kind: 'ok', body: parsed.data };
    },

    async pull(cursor, limit) {
      const query = new URLSearchParams();
      if (cursor) query.set('cursor', cursor);
      query.set('limit', String(limit));
      const raw = await send(`/api/sync/pull?${query.toString()}`, { method: 'GET', cache: 'no-store' });
      if ('failed' in raw || raw.status < 200 || raw.status > 299) return classifyFailure(raw);
      const parsed = PullResponseSchema.safeParse(parseJson(raw.text));
      if (!parsed.success) return notSync('pull');
      return { kind: 'ok', body: parsed.data };
    },

    async pullPriority(from, to, limit) {
      const query = new URLSearchParams({ from, to, limit: String(limit) });
      const raw = await send(`/api/sync/pull/priority?${query.toString()}`, { method: 'GET', cache: 'no-store' });
      if ('failed' in raw || raw.status < 200 || raw.status > 299) return classifyFailure(raw);
      const parsed = PriorityPullResponseSchema.safeParse(parseJson(raw.text));
      if (!parsed.success) return notSync('pull');
      return { kind: 'ok', body: parsed.data };
    },
  };
}
