import type { FastifyInstance } from 'fastify';
import { PROTOCOL_HEADER } from '../../protocol/index.ts';
import { HttpError, checkProtocolVersion } from './errors.ts';

/** Deeper JSON than this is refused before anything walks it recursively (SV1). */
export const MAX_JSON_DEPTH = 32;

/** True when `value` nests objects/arrays deeper than `max`; iterative, so hostile depth cannot overflow the stack. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

const CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function isJson(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json';
}

export function registerGuards(app: FastifyInstance): void {
  // Only JSON bodies: text/plain is removed so it cannot slip through as a string.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') return done(null, undefined); // sign-out needs no body
    json(request, text, done);
  });

  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '';
    if (!path.startsWith('/api/')) return;
    // AU3: anything that changes something must be application/json (forces a CORS preflight).
    if (CHANGING.has(request.method) && !isJson(request.headers['content-type'])) {
      throw new HttpError(415, 'unsupported_media_type', 'Send the body as application/json.');
    }
    // SV2: the protocol header, when the client sends it.
    const header = request.headers[PROTOCOL_HEADER];
    if (header !== undefined && (path.startsWith('/api/sync/') || path.startsWith('/api/auth/'))) {
      const text = Array.isArray(header) ? header[0] : header;
      if (!text || !/^\d{1,6}$/.test(text)) {
        throw new HttpError(400, 'invalid_body', `The ${PROTOCOL_HEADER} header must be a whole number.`);
      }
      checkProtocolVersion(Number(text));
    }
  });

  app.addHook('preValidation', async (request) => {
    if (request.body !== undefined && nestsDeeperThan(request.body, MAX_JSON_DEPTH)) {
      throw new HttpError(400, 'invalid_body', `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
    }
  });

  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/api/')) {
      void reply.header('cache-control', 'no-store');
      void reply.header('x-content-type-options', 'nosniff');
    }
  });
}
