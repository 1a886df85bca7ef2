/** SY4: exponential backoff with full jitter, from 1 s up to at most 5 minutes. */
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_CAP_MS = 5 * 60_000;

export interface BackoffOptions {
  readonly baseMs?: number;
  readonly capMs?: number;
}

/** Delay after the `failures`-th consecutive failure (1-based): random in [0, min(cap, base·2^(failures-1))). */
export function backoffDelay(failures: number, random: () => number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? BACKOFF_BASE_MS;
  const cap = opts.capMs ?? BACKOFF_CAP_MS;
  const exp = Math.min(Math.max(failures - 1, 0), 30);
  const ceiling = Math.min(cap, base * 2 ** exp);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * ceiling);
}

/** Parse a `Retry-After` header: delay-seconds or an HTTP date, in ms from `now`. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
