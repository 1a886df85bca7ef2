import { z } from 'zod';

/** Request-level error codes. Every 4xx carries one and a sentence a person can act on (SV3). */
export const ERROR_CODES = [
  'invalid_body',
  'payload_too_large',
  'unsupported_media_type',
  'not_signed_in',
  'session_expired',
  'bad_credentials',
  'forbidden',
  'not_found',
  'client_too_old',
  'server_too_old',
  'rate_limited',
  'internal',
] as const;
export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ErrorResponseSchema = z.object({
  error: ErrorCodeSchema,
  message: z.string(),
  /** With client_too_old / server_too_old: the range the server speaks. */
  minProtocolVersion: z.number().int().optional(),
  protocolVersion: z.number().int().optional(),
  /** With invalid_body: where the body went wrong. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).max(20).optional(),
});
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;
