import type { FastifyInstance } from 'fastify';
import type { BuildAppOptions } from '../app.ts';
import { buildApp } from '../app.ts';
import { hashPassword } from '../auth/password.ts';
import { openSqliteStorage } from '../storage/sqlite.ts';
import type { ServerStorage } from '../storage/types.ts';
import type { Actor } from '../sync/types.ts';
import type { RawChange } from './fixtures.ts';

export const PASSWORD = 'correct horse';

export interface TestServer {
  app: FastifyInstance;
  storage: ServerStorage;
  /** Cookie header values by person. */
  cookie: { maria: string; wes: string; ana: string; olga: string };
  actor: { maria: Actor; wes: Actor; ana: Actor; olga: Actor };
}

export async function signIn(app: FastifyInstance, email: string, password = PASSWORD): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  const set = res.cookies.find((c) => c.name === 'outpost_session');
  if (!set) throw new Error('no session cookie');
  return `outpost_session=${set.value}`;
}

/** An app on in-memory SQLite with org A (Maria manager, Wes and Ana workers) and org B (Olga manager). */
export async function startTestServer(options: Partial<BuildAppOptions> = {}): Promise<TestServer> {
  const storage = await openSqliteStorage(':memory:');
  const passwordHash = await hashPassword(PASSWORD);
  const a = await storage.createOrg({ name: 'Org A' });
  const b = await storage.createOrg({ name: 'Org B' });
  const add = async (orgId: string, name: string, role: Actor['role']): Promise<Actor> => {
    const u = await storage.createUser({ orgId, email: `${name}@test.outpost`, name, role, passwordHash });
    return { userId: u.id, orgId, role };
  };
  const actor = {
    maria: await add(a.id, 'maria', 'manager'),
    wes: await add(a.id, 'wes', 'worker'),
    ana: await add(a.id, 'ana', 'worker'),
    olga: await add(b.id, 'olga', 'manager'),
  };
  const app = await buildApp({ storage, ...options });
  const cookie = {
    maria: await signIn(app, 'maria@test.outpost'),
    wes: await signIn(app, 'wes@test.outpost'),
    ana: await signIn(app, 'ana@test.outpost'),
    olga: await signIn(app, 'olga@test.outpost'),
  };
  return { app, storage, cookie, actor };
}

export function pushBody(changes: readonly RawChange[] | readonly unknown[], protocolVersion = 1): Record<string, unknown> {
  return { protocolVersion, deviceId: 'dev-a', changes };
}

export async function push(app: FastifyInstance, cookie: string, changes: readonly unknown[]) {
  return app.inject({ method: 'POST', url: '/api/sync/push', headers: { cookie }, payload: pushBody(changes) });
}

/** Listen on 127.0.0.1 at a free port; the base URL of the running server. */
export async function listenOnLoopback(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('the server has no TCP address');
  return `http://127.0.0.1:${address.port}`;
}

/** A live channel (LV1, LV3) read over a real socket, one server-sent event at a time. */
export interface LiveStream {
  readonly response: Response;
  /** The next event's data, parsed; null when the stream has ended. Comment lines (LV2) are skipped. */
  next(): Promise<unknown>;
}

export async function openLiveStream(base: string, cookie: string, query = ''): Promise<LiveStream> {
  const response = await fetch(`${base}/api/sync/live${query}`, { headers: { cookie } });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    response,
    async next() {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data) return JSON.parse(data.slice(6)) as unknown;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) return null;
        buffer += decoder.decode(value, { stream: true });
      }
    },
  };
}
