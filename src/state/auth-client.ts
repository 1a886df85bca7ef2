/**
 * The sign-in API as seen from the page: sign in, sign out, check the session. Plain functions over an
 * injected `fetch` (STYLE.md 3), so tests can hand in a fake. Answers are validated with the protocol's
 * schemas; anything else (an HTML page from a captive portal, a proxy error) is never taken as success.
 */
import { ErrorResponseSchema } from '../../protocol/errors.ts';
import { SessionResponseSchema, type User } from '../../protocol/auth.ts';

export type { User };

/** Why signing in did not work, with a sentence the person can act on. */
export type SignInFailureKind =
  | 'bad_credentials'
  | 'invalid_input'
  | 'offline'
  | 'unreachable'
  | 'rate_limited'
  | 'server_error'
  | 'unexpected_answer';

export type SignInFailure = { kind: SignInFailureKind; message: string };

export type SignInResult = { ok: true; user: User } | { ok: false; failure: SignInFailure };

/** `unknown`: the server could not be asked (offline, unreachable, odd answer) — keep what we have. */
export type SessionCheck = { kind: 'valid'; user: User } | { kind: 'signed-out' } | { kind: 'unknown' };

export interface AuthClient {
  signIn(email: string, password: string): Promise<SignInResult>;
  /** True once the server has ended the session (or had none). */
  signOut(): Promise<boolean>;
  check(): Promise<SessionCheck>;
}

export type AuthClientDeps = {
  fetch: typeof globalThis.fetch;
  isOnline: () => boolean;
  /** Give up on a request after this long (default 15 s). */
  timeoutMs?: number;
};

export const SIGN_IN_MESSAGES = {
  bad_credentials: 'That email and password don’t match. Check them and try again.',
  invalid_input: 'Enter a valid email address and your password.',
  offline: 'You’re offline. Signing in needs a connection — connect to the internet and try again.',
  unreachable: 'Can’t reach the Outpost server. Check your connection, or try again in a moment.',
  rate_limited: 'Too many sign-in attempts. Wait a minute, then try again.',
  server_error: 'The Outpost server had a problem signing you in. Try again in a moment.',
  unexpected_answer:
    'The server sent an unexpected answer. If this Wi‑Fi needs its own sign-in page, open that first, then try again.',
} as const satisfies Record<SignInFailureKind, string>;

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' } as const;

export function createAuthClient({ fetch, isOnline, timeoutMs = 15_000 }: AuthClientDeps): AuthClient {
  const request = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(path, { credentials: 'same-origin', cache: 'no-store', signal: AbortSignal.timeout(timeoutMs), ...init });

  const failure = (kind: SignInFailureKind, message: string = SIGN_IN_MESSAGES[kind]): SignInResult => ({
    ok: false,
    failure: { kind, message },
  });

  return {
    async signIn(email, password) {
      if (!isOnline()) return failure('offline');
      let response: Response;
      try {
        response = await request('/api/auth/sign-in', {
          method: 'POST',
          headers: JSON_HEADERS,
          body: JSON.stringify({ email: email.trim(), password }),
        });
      } catch {
        return failure(isOnline() ? 'unreachable' : 'offline');
      }
      const body = await readJson(response);
      if (response.ok) {
        const parsed = SessionResponseSchema.safeParse(body);
        return parsed.success ? { ok: true, user: parsed.data.user } : failure('unexpected_answer');
      }
      const error = ErrorResponseSchema.safeParse(body);
      const code = error.success ? error.data.error : undefined;
      if (response.status === 401 || code === 'bad_credentials') return failure('bad_credentials');
      if (response.status === 429) return failure('rate_limited', error.success ? error.data.message : undefined);
      if (response.status === 400) return failure('invalid_input');
      if (response.status >= 500) return failure(error.success ? 'server_error' : 'unreachable');
      return error.success ? failure('unexpected_answer', error.data.message) : failure('unexpected_answer');
    },

    async signOut() {
      try {
        const response = await request('/api/auth/sign-out', { method: 'POST', headers: JSON_HEADERS, body: '{}' });
        return response.ok || response.status === 401;
      } catch {
        return false;
      }
    },

    async check() {
      let response: Response;
      try {
        response = await request('/api/auth/session', { headers: { accept: 'application/json' } });
      } catch {
        return { kind: 'unknown' };
      }
      const body = await readJson(response);
      if (response.status === 401) return ErrorResponseSchema.safeParse(body).success ? { kind: 'signed-out' } : { kind: 'unknown' };
      const parsed = SessionResponseSchema.safeParse(body);
      return response.ok && parsed.success ? { kind: 'valid', user: parsed.data.user } : { kind: 'unknown' };
    },
  };
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return (await response.json()) as unknown;
  } catch {
    return undefined;
  }
}
