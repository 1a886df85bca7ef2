import type { FastifyReply, FastifyRequest } from 'fastify';
import type { User } from '../../protocol/index.ts';
import { SESSION_COOKIE, hashSessionToken, looksLikeToken } from '../auth/session.ts';
import type { ServerStorage } from '../storage/types.ts';
import { HttpError } from './errors.ts';

export interface SignedIn {
  readonly user: User;
  readonly tokenHash: string;
}

/** AU2: a live session or a 401 saying why there is none. */
export async function requireSession(storage: ServerStorage, request: FastifyRequest, now: number): Promise<SignedIn> {
  const token = request.cookies[SESSION_COOKIE];
  if (!token) throw new HttpError(401, 'not_signed_in', 'Sign in to sync. Nothing saved on this device is lost.');
  const expired = new HttpError(401, 'session_expired', 'Your session has ended. Sign in again; nothing saved on this device is lost.');
  if (!looksLikeToken(token)) throw expired;
  const tokenHash = hashSessionToken(token);
  const user = await sessionUser(storage, tokenHash, now);
  if (!user) throw expired;
  return { user, tokenHash };
}

/** The person a session belongs to now, or null when it has ended (an expired session is deleted). */
export async function sessionUser(storage: ServerStorage, tokenHash: string, now: number): Promise<User | null> {
  const session = await storage.getSession(tokenHash);
  if (!session) return null;
  if (session.expiresAt <= now) {
    await storage.deleteSession(tokenHash);
    return null;
  }
  return storage.getUser(session.userId);
}

/** AU1: HttpOnly, SameSite=Strict, Path=/, Secure over HTTPS. */
export function cookieOptions(request: FastifyRequest) {
  return { httpOnly: true, sameSite: 'strict', path: '/', secure: request.protocol === 'https' } as const;
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, expiresAt: number): void {
  void reply.setCookie(SESSION_COOKIE, token, { ...cookieOptions(request), expires: new Date(expiresAt) });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
}
