import { describe, expect, it } from 'vitest';
import { createAuthClient, SIGN_IN_MESSAGES } from './auth-client.ts';

const USER = { id: 'u1', orgId: 'o1', email: 'wes@demo.outpost', name: 'Wes', role: 'worker' } as const;

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function client(answer: () => Promise<Response>, online = true) {
  const calls: Array<{ url: string; init: RequestInit | undefined }> = [];
  const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init });
    return answer();
  }) as typeof globalThis.fetch;
  return { auth: createAuthClient({ fetch, isOnline: () => online }), calls };
}

describe('auth client: sign in', () => {
  it('posts JSON and returns the user on a well-formed answer', async () => {
    const { auth, calls } = client(async () => json(200, { ok: true, user: USER }));
    expect(await auth.signIn('  wes@demo.outpost ', 'demo-worker')).toEqual({ ok: true, user: USER });
    expect(calls[0]?.url).toBe('/api/auth/sign-in');
    expect(calls[0]?.init?.method).toBe('POST');
    expect(new Headers(calls[0]?.init?.headers).get('content-type')).toBe('application/json');
    expect(JSON.parse(String(calls[0]?.init?.body))).toEqual({ email: 'wes@demo.outpost', password: 'demo-worker' });
  });

  it.each([
    ['401 bad_credentials', () => json(401, { error: 'bad_credentials', message: 'No.' }), 'bad_credentials'],
    ['400 invalid_body', () => json(400, { error: 'invalid_body', message: 'Bad.' }), 'invalid_input'],
    ['429', () => json(429, { error: 'rate_limited', message: 'Slow down.' }), 'rate_limited'],
    ['500 internal', () => json(500, { error: 'internal', message: 'Oops.' }), 'server_error'],
    ['502 from a proxy (HTML)', () => new Response('<html>Bad gateway</html>', { status: 502 }), 'unreachable'],
    ['200 HTML (captive portal)', () => new Response('<html>Log in to Wi-Fi</html>', { status: 200 }), 'unexpected_answer'],
    ['200 JSON of another shape', () => json(200, { ok: true }), 'unexpected_answer'],
  ] as const)('classifies %s', async (_name, answer, kind) => {
    const { auth } = client(async () => answer());
    const result = await auth.signIn('wes@demo.outpost', 'x');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.failure.kind).toBe(kind);
  });

  it('uses the server’s own message when it rate-limits', async () => {
    const { auth } = client(async () => json(429, { error: 'rate_limited', message: 'Try again in 30 seconds.' }));
    expect(await auth.signIn('wes@demo.outpost', 'x')).toEqual({
      ok: false,
      failure: { kind: 'rate_limited', message: 'Try again in 30 seconds.' },
    });
  });

  it('does not call the network when the browser is offline', async () => {
    const { auth, calls } = client(async () => json(200, { ok: true, user: USER }), false);
    expect(await auth.signIn('wes@demo.outpost', 'x')).toEqual({
      ok: false,
      failure: { kind: 'offline', message: SIGN_IN_MESSAGES.offline },
    });
    expect(calls).toHaveLength(0);
  });

  it('reports a network error as "unreachable" while online', async () => {
    const { auth } = client(async () => {
      throw new TypeError('Failed to fetch');
    });
    const result = await auth.signIn('wes@demo.outpost', 'x');
    expect(result.ok === false && result.failure.kind).toBe('unreachable');
  });
});

describe('auth client: session check and sign-out', () => {
  it('a valid session returns the user; a 401 error answer means signed out', async () => {
    expect(await client(async () => json(200, { ok: true, user: USER })).auth.check()).toEqual({ kind: 'valid', user: USER });
    expect(await client(async () => json(401, { error: 'session_expired', message: 'Sign in again.' })).auth.check()).toEqual({
      kind: 'signed-out',
    });
  });

  it('anything it cannot trust is "unknown", never "signed out" (local data stays)', async () => {
    const unknown = { kind: 'unknown' };
    expect(await client(async () => new Response('<html>portal</html>', { status: 401 })).auth.check()).toEqual(unknown);
    expect(await client(async () => new Response('<html>portal</html>', { status: 200 })).auth.check()).toEqual(unknown);
    expect(await client(async () => json(503, { error: 'internal', message: 'x' })).auth.check()).toEqual(unknown);
    expect(
      await client(async () => {
        throw new TypeError('Failed to fetch');
      }).auth.check(),
    ).toEqual(unknown);
  });

  it('sign-out counts as done on 2xx or 401, not on a network error', async () => {
    expect(await client(async () => json(200, { ok: true })).auth.signOut()).toBe(true);
    expect(await client(async () => json(401, { error: 'not_signed_in', message: 'x' })).auth.signOut()).toBe(true);
    expect(
      await client(async () => {
        throw new TypeError('Failed to fetch');
      }).auth.signOut(),
    ).toBe(false);
  });
});
