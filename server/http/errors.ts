import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode, ErrorResponse } from '../../protocol/index.ts';
import { MIN_PROTOCOL_VERSION, PROTOCOL_VERSION } from '../../protocol/index.ts';

type Extra = Omit<ErrorResponse, 'error' | 'message'>;

/** An answer to a client's mistake: always `{ error, message }` (SV3). */
export class HttpError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly extra: Extra;
  constructor(status: number, code: ErrorCode, message: string, extra: Extra = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** SV1: at most 20 issues, each a dotted path and a message. */
export function invalidBody(issues: readonly Issue[], message = 'The request body is not valid.'): HttpError {
  return new HttpError(400, 'invalid_body', message, {
    issues: issues.slice(0, 20).map((i) => ({ path: i.path.map((p) => String(p)).join('.').slice(0, 200), message: i.message.slice(0, 300) })),
  });
}

export function clientTooOld(): HttpError {
  return new HttpError(426, 'client_too_old', 'This app is too old for the server. Update the app to keep syncing.', {
    minProtocolVersion: MIN_PROTOCOL_VERSION,
    protocolVersion: PROTOCOL_VERSION,
  });
}

export function serverTooOld(): HttpError {
  return new HttpError(400, 'server_too_old', 'This app is newer than the server. Wait for the server to be updated.', {
    minProtocolVersion: MIN_PROTOCOL_VERSION,
    protocolVersion: PROTOCOL_VERSION,
  });
}

/** SV2: check a protocol version from the header or the body. */
export function checkProtocolVersion(version: number): void {
  if (version < MIN_PROTOCOL_VERSION) throw clientTooOld();
  if (version > PROTOCOL_VERSION) throw serverTooOld();
}

const BY_FASTIFY_CODE: Record<string, [number, ErrorCode, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large', 'The request body is larger than 1 MiB. Send fewer changes at a time.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'Send the body as application/json.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid_body', 'The body length does not match its Content-Length header.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid_body', 'The request body is empty.'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_body', 'The request body is not valid JSON.'],
  FST_ERR_BAD_URL: [400, 'invalid_body', 'The request address is not valid.'],
  FST_ERR_VALIDATION: [400, 'invalid_body', 'The request is not valid.'],
};

const BY_STATUS: Record<number, [ErrorCode, string]> = {
  400: ['invalid_body', 'The request is not valid.'],
  401: ['not_signed_in', 'Sign in to continue.'],
  403: ['forbidden', 'You may not do this.'],
  404: ['not_found', 'There is nothing here.'],
  413: ['payload_too_large', 'The request body is larger than 1 MiB.'],
  415: ['unsupported_media_type', 'Send the body as application/json.'],
  429: ['rate_limited', 'Too many requests; try again shortly.'],
};

export function toErrorResponse(error: unknown): { status: number; body: ErrorResponse } {
  if (error instanceof HttpError) {
    return { status: error.status, body: { error: error.code, message: error.message, ...error.extra } };
  }
  const e = error as Partial<FastifyError> | null;
  const known = typeof e?.code === 'string' ? BY_FASTIFY_CODE[e.code] : undefined;
  if (known) return { status: known[0], body: { error: known[1], message: known[2] } };
  // JSON parse errors (incl. __proto__ / constructor.prototype poisoning) come as 400 SyntaxErrors.
  if (error instanceof SyntaxError) return { status: 400, body: { error: 'invalid_body', message: 'The request body is not valid JSON.' } };
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 500;
  const mapped = BY_STATUS[status];
  if (status >= 400 && status < 500) {
    const [code, message] = mapped ?? ['invalid_body', 'The request is not valid.'];
    return { status, body: { error: code, message } };
  }
  // SV3: a 5xx says only `internal`.
  return { status: 500, body: { error: 'internal', message: 'Something went wrong on the server. Try again later.' } };
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorResponse(error);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: body.error, status }, 'request refused');
  void reply.status(status).type('application/json; charset=utf-8').send(body);
}
