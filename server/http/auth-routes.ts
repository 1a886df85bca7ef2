import type { FastifyInstance } from 'fastify';
import type { SessionResponse } from '../../protocol/index.ts';
import { SignInRequestSchema } from '../../protocol/index.ts';
import { DUMMY_HASH, verifyPassword } from '../auth/password.ts';
import { SESSION_COOKIE, hashSessionToken, newSessionToken } from '../auth/session.ts';
import type { ServerStorage } from '../storage/types.ts';
import { HttpError, invalidBody } from './errors.ts';
import { clearSessionCookie, requireSession, setSessionCookie } from './session.ts';

export interface AuthRouteOptions {
  readonly storage: ServerStorage;
  readonly now: () => number;
  readonly sessionTtlMs: number;
}

export function registerAuthRoutes(app: FastifyInstance, { storage, now, sessionTtlMs }: AuthRouteOptions): void {
  app.post('/api/auth/sign-in', async (request, reply): Promise<SessionResponse> => {
    const parsed = SignInRequestSchema.safeParse(request.body);
    if (!parsed.success) throw invalidBody(parsed.error.issues, 'Send an email and a password.');
    const found = await storage.findUserByEmail(parsed.data.email.trim());
    // Always run scrypt, so an unknown email takes as long as a wrong password.
    const matches = await verifyPassword(parsed.data.password, found?.passwordHash ?? DUMMY_HASH);
    if (!found || !matches) throw new HttpError(401, 'bad_credentials', 'The email or password is not right.');
    const { token, tokenHash } = newSessionToken(); // AU1
    const createdAt = now();
    const expiresAt = createdAt + sessionTtlMs;
    await storage.createSession({ tokenHash, userId: found.id, expiresAt, createdAt });
    setSessionCookie(request, reply, token, expiresAt);
    const { passwordHash: _omit, ...user } = found;
    return { ok: true, user };
  });

  app.post('/api/auth/sign-out', async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await storage.deleteSession(hashSessionToken(token));
    clearSessionCookie(request, reply);
    return { ok: true };
  });

  app.get('/api/auth/session', async (request): Promise<SessionResponse> => {
    const { user } = await requireSession(storage, request, now());
    return { ok: true, user };
  });
}
