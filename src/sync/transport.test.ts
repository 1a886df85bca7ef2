import { describe, expect, it } from 'vitest';
import type { ChangeId, PushRequest, PushResponse } from '../../protocol/index.ts';
import { PROTOCOL_HEADER, PROTOCOL_VERSION, REQUEST_ID_HEADER } from '../../protocol/index.ts';
import { createHttpTransport } from './transport.ts';

const ID_A = '00000000-0000-4000-8000-00000000000a' as ChangeId;
const ID_B = '00000000-0000-4000-8000-00000000000b' as ChangeId;

const request: PushRequest = {
  protocolVersion: PROTOCOL_VERSION,
  deviceId: 'device-a',
  changes: [{ id: ID_A }, { id: ID_B }],
};

function okBody(ids: string[] = [ID_A, ID_B]): PushResponse {
  return {
    ok: true,
    protocolVersion: PROTOCOL_VERSION,
    receipts: ids.map((id, i) => ({ changeId: id as ChangeId, status: 'applied', version: i + 1, seq: i + 1, superseded: [] })),
    serverHlc: '1800000000000-0000-server',
  };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

function transportWith(answer: (url: string, init: RequestInit) => Promise<Response>, timeoutMs = 5_000) {
  const calls: { url: string; init: RequestInit }[] = [];
  const transport = createHttpTransport({
    baseUrl: 'http://sync.test/',
    fetch: (url, init) => {
      calls.push({ url, init });
      return answer(url, init);
    },
    timeoutMs,
    requestId: () => 'req-1',
    now: () => Date.parse('2025-01-01T00:00:00Z'),
  });
  return { transport, calls };
}

describe('HTTP transport (PU5, PU7)', () => {
  it('PU1: posts the batch with protocol and request-id headers, cookies same-origin, and returns ok', async () => {
    const { transport, calls } = transportWith(async () => json(200, okBody()));
    const result = await transport.push(request);
    expect(result.kind).toBe('ok');
    const call = calls[0]!;
    expect(call.url).toBe('http://sync.test/api/sync/push');
    expect(call.init.method).toBe('POST');
    expect(call.init.credentials).toBe('same-origin');
    const headers = call.init.headers as Record<string, string>;
    expect(headers[PROTOCOL_HEADER]).toBe(String(PROTOCOL_VERSION));
    expect(headers[REQUEST_ID_HEADER]).toBe('req-1');
    expect(headers['content-type']).toBe('application/json');
    expect(JSON.parse(call.init.body as string)).toEqual(request);
  });

  it('PU7: a network error is transient (offline)', async () => {
    const { transport } = transportWith(async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(await transport.push(request)).toMatchObject({ kind: 'transient', offline: true });
  });

  it('PU7: a hanging response times out as transient and the request is aborted', async () => {
    let aborted = false;
    const { transport } = transportWith(
      (_url, init) =>
        new Promise<Response>(() => {
          init.signal?.addEventListener('abort', () => {
            aborted = true;
          });
        }),
      10,
    );
    const result = await transport.push(request);
    expect(result).toMatchObject({ kind: 'transient' });
    expect(result.kind === 'transient' && result.reason).toMatch(/did not answer in time/);
    expect(aborted).toBe(true);
  });

  it.each([500, 502, 503, 408])('PU7: %i is transient', async (status) => {
    const { transport } = transportWith(async () => json(status, { error: 'internal', message: 'Something broke.' }));
    expect(await transport.push(request)).toMatchObject({ kind: 'transient' });
  });

  it('SY4: 429 honours Retry-After in seconds and as an HTTP date', async () => {
    const seconds = transportWith(async () => json(429, { error: 'rate_limited', message: 'Slow down.' }, { 'retry-after': '7' }));
    expect(await seconds.transport.push(request)).toEqual({ kind: 'transient', reason: 'Slow down.', retryAfterMs: 7_000 });
    const date = transportWith(async () => json(429, { error: 'rate_limited', message: 'Slow down.' }, { 'retry-after': 'Wed, 01 Jan 2025 00:01:00 GMT' }));
    expect(await date.transport.push(request)).toMatchObject({ kind: 'transient', retryAfterMs: 60_000 });
  });

  it('PU5: an HTML 200 (captive portal) is transient, never an acknowledgement', async () => {
    const { transport } = transportWith(async () => new Response('<html><body>Sign in to Airport Wi-Fi</body></html>', { status: 200, headers: { 'content-type': 'text/html' } }));
    expect(await transport.push(request)).toMatchObject({ kind: 'transient' });
    expect(await transport.pull(null, 10)).toMatchObject({ kind: 'transient' });
  });

  it('PU5: receipts for other ids, or too few, are transient', async () => {
    const other = transportWith(async () => json(200, okBody([ID_B, ID_A])));
    expect(await other.transport.push(request)).toMatchObject({ kind: 'transient' });
    const few = transportWith(async () => json(200, okBody([ID_A])));
    expect(await few.transport.push(request)).toMatchObject({ kind: 'transient' });
  });

  it('AU2: 401 and 403 pause for sign-in', async () => {
    const expired = transportWith(async () => json(401, { error: 'session_expired', message: 'Your session expired. Sign in again.' }));
    expect(await expired.transport.push(request)).toEqual({ kind: 'auth', reason: 'Your session expired. Sign in again.' });
    const forbidden = transportWith(async () => json(403, { error: 'forbidden', message: 'Sign in again.' }));
    expect(await forbidden.transport.pull('5', 10)).toMatchObject({ kind: 'auth' });
  });

  it('SV2: 426 is too-old; PU7: 413 is too-large', async () => {
    const old = transportWith(async () => json(426, { error: 'client_too_old', message: 'Update the app.', minProtocolVersion: 2 }));
    expect(await old.transport.push(request)).toEqual({ kind: 'too-old', message: 'Update the app.' });
    const large = transportWith(async () => json(413, { error: 'payload_too_large', message: 'Too big.' }));
    expect(await large.transport.push(request)).toMatchObject({ kind: 'too-large' });
  });

  it('PU7: another 4xx is rejected with the server message', async () => {
    const { transport } = transportWith(async () => json(400, { error: 'invalid_body', message: 'changes: expected array' }));
    expect(await transport.push(request)).toEqual({ kind: 'rejected', status: 400, message: 'changes: expected array' });
    const unsupported = transportWith(async () => new Response('nope', { status: 415 }));
    expect(await unsupported.transport.push(request)).toEqual({ kind: 'rejected', status: 415, message: 'The server answered 415.' });
  });

  it('PL1: pull sends cursor and limit and validates the answer', async () => {
    const { transport, calls } = transportWith(async () =>
      json(200, { ok: true, protocolVersion: PROTOCOL_VERSION, records: [], cursor: '9', more: false, serverHlc: '1800000000000-0000-server' }),
    );
    const result = await transport.pull('5', 100);
    expect(result).toMatchObject({ kind: 'ok', body: { cursor: '9', more: false } });
    expect(calls[0]?.url).toBe('http://sync.test/api/sync/pull?cursor=5&limit=100');
    expect(calls[0]?.init.credentials).toBe('same-origin');
    await transport.pull(null, 100);
    expect(calls[1]?.url).toBe('http://sync.test/api/sync/pull?limit=100');
  });
});
