import { z } from 'zod';

/**
 * Messages on the live channel, GET /api/sync/live (server-sent events).
 * They carry no data: a poke only says "there is something to pull" (LV1).
 */
export const LiveMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), protocolVersion: z.number().int() }),
  z.object({ type: z.literal('poke'), seq: z.number().int().min(0) }),
]);
export type LiveMessage = z.infer<typeof LiveMessageSchema>;
