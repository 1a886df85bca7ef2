import { z } from 'zod';
import { PulledRecordSchema } from './pull.ts';

/** Most records one `changes` message carries (LV3); a larger catch-up is a plain poke and a pull. */
export const LIVE_CHANGES_LIMIT = 100;

/**
 * LV3: what a pull from `from` would answer right now, sent on a stream opened with `?records=1`:
 * the records this person may see (PL2) that changed after `from`, and the cursor after them. The
 * device applies them only when its stored cursor is `from` (PL3 compare-and-set); otherwise it pulls.
 */
export const LiveChangesSchema = z.strictObject({
  type: z.literal('changes'),
  from: z.string(),
  cursor: z.string(),
  records: z.array(PulledRecordSchema).max(LIVE_CHANGES_LIMIT),
  serverHlc: z.string(),
});
export type LiveChanges = z.infer<typeof LiveChangesSchema>;

/**
 * Messages on the live channel, GET /api/sync/live (server-sent events).
 * A poke carries no data: it only says "there is something to pull" (LV1); `changes` carries it (LV3).
 */
/**
 * The first message of a stream (LV1). On a stream that carries records (LV3) it says where the stream
 * follows from: its next `changes` message starts at `cursor`. A device whose stored cursor differs pulls.
 */
export const LiveHelloSchema = z.object({ type: z.literal('hello'), protocolVersion: z.number().int(), cursor: z.string().optional() });
export type LiveHello = z.infer<typeof LiveHelloSchema>;

export const LiveMessageSchema = z.discriminatedUnion('type', [
  LiveHelloSchema,
  z.object({ type: z.literal('poke'), seq: z.number().int().min(0) }),
  LiveChangesSchema,
]);
export type LiveMessage = z.infer<typeof LiveMessageSchema>;

/** GET /api/sync/live?records=1: the device applies `changes` (LV3); without it, pokes only (LV1). */
export const LiveQuerySchema = z.object({
  records: z.enum(['1']).optional(),
});
