import { z } from 'zod';
import { EntityIdSchema } from './ids.ts';
import { EntityNameSchema, LIMITS } from './entities.ts';

/** GET /api/sync/pull?cursor=&limit= (PL1). The cursor is opaque to clients. */
export const PullQuerySchema = z.strictObject({
  cursor: z
    .string()
    .max(40)
    .regex(/^\d*$/, 'cursor must come from an earlier pull')
    .optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.maxPullLimit).optional(),
});
export type PullQuery = z.infer<typeof PullQuerySchema>;

export const FieldClockSchema = z.object({
  /** HLC stamp of the edit that set this field. */
  hlc: z.string(),
  /** Entity version at which it was set. */
  version: z.number().int().min(0),
  /** Device that set it. */
  device: z.string(),
});
export type FieldClock = z.infer<typeof FieldClockSchema>;

/**
 * The current state of one entity the person may see — or, with `revoked`, word
 * that they may no longer see it (a job reassigned to someone else, PL4): the
 * device forgets it. A revocation carries no fields.
 */
export const PulledRecordSchema = z.object({
  entity: EntityNameSchema,
  entityId: EntityIdSchema,
  version: z.number().int().min(1),
  deleted: z.boolean(),
  fields: z.record(z.string(), z.unknown()),
  clocks: z.record(z.string(), FieldClockSchema),
  revoked: z.boolean().optional(),
});
export type PulledRecord = z.infer<typeof PulledRecordSchema>;

export const PullResponseSchema = z.strictObject({
  ok: z.literal(true),
  protocolVersion: z.number().int(),
  records: z.array(PulledRecordSchema),
  /** Pass back as `cursor` on the next pull. */
  cursor: z.string(),
  /** True when there is more to pull right away. */
  more: z.boolean(),
  serverHlc: z.string(),
});
export type PullResponse = z.infer<typeof PullResponseSchema>;

const LocalDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'dates are YYYY-MM-DD');

/**
 * GET /api/sync/pull/priority?from=&to=&limit= (PL5): what a new device needs first — the jobs the
 * person may see scheduled from `from` to `to` (the device's own dates, inclusive), soonest first, and
 * their reports. Records as in a pull, at their current versions; no cursor: the pull by cursor
 * (PL1) still brings everything, and PL3 skips what this already brought.
 */
export const PriorityPullQuerySchema = z.strictObject({
  from: LocalDateSchema,
  to: LocalDateSchema,
  limit: z.coerce.number().int().min(1).max(LIMITS.maxPullLimit).optional(),
});
export type PriorityPullQuery = z.infer<typeof PriorityPullQuerySchema>;

export const PriorityPullResponseSchema = z.strictObject({
  ok: z.literal(true),
  protocolVersion: z.number().int(),
  records: z.array(PulledRecordSchema),
  serverHlc: z.string(),
});
export type PriorityPullResponse = z.infer<typeof PriorityPullResponseSchema>;
