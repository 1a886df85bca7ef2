import { z } from 'zod';
import { ChangeIdSchema, DeviceIdSchema } from './ids.ts';
import { LIMITS } from './entities.ts';

/**
 * POST /api/sync/push. The envelope is checked first (a bad envelope is a 400);
 * each change is then checked on its own, so one bad change is refused with a
 * receipt and does not block the rest of the queue (PU2).
 */
export const PushRequestSchema = z.strictObject({
  protocolVersion: z.number().int().min(1),
  deviceId: DeviceIdSchema,
  changes: z
    .array(z.looseObject({ id: ChangeIdSchema }))
    .min(1)
    .max(LIMITS.maxChangesPerPush),
});
export type PushRequest = z.infer<typeof PushRequestSchema>;

export const REFUSAL_CODES = [
  /** The change itself is malformed (fields, op, values). */
  'invalid_change',
  /** The signed-in person may not make this change. */
  'forbidden',
  /** An update or delete for something the server does not have. */
  'not_found',
  /** Punches are never edited or removed; a correction is a new punch. */
  'append_only',
  /** A create for an id that already exists with other content. */
  'already_exists',
  /** The entity was deleted; edits to it are not applied. */
  'deleted',
  /** The change id was already used for different content. */
  'id_reused',
  /** The payload was written by a newer app than this server understands. */
  'payload_too_new',
] as const;
export const RefusalCodeSchema = z.enum(REFUSAL_CODES);
export type RefusalCode = z.infer<typeof RefusalCodeSchema>;

export const ConflictFieldSchema = z.object({
  field: z.string(),
  /** What the server holds (kept). */
  serverValue: z.unknown(),
  /** What this change wanted (not applied; waits for review). */
  clientValue: z.unknown(),
});
export type ConflictField = z.infer<typeof ConflictFieldSchema>;

export const AppliedReceiptSchema = z.object({
  changeId: ChangeIdSchema,
  status: z.literal('applied'),
  /** Entity version after this change. */
  version: z.number().int().min(1),
  /** Position in the server's change log. */
  seq: z.number().int().min(1),
  /** Fields not taken because the server already held a later edit (CF1). */
  superseded: z.array(z.string()),
});

export const RefusedReceiptSchema = z.object({
  changeId: ChangeIdSchema,
  status: z.literal('refused'),
  code: RefusalCodeSchema,
  reason: z.string(),
});

export const ConflictReceiptSchema = z.object({
  changeId: ChangeIdSchema,
  status: z.literal('conflict'),
  /** Entity version after the non-conflicting fields were applied. */
  version: z.number().int().min(0),
  seq: z.number().int().min(0),
  conflictId: z.string(),
  fields: z.array(ConflictFieldSchema).min(1),
  reason: z.string(),
});

export const OriginalReceiptSchema = z.discriminatedUnion('status', [
  AppliedReceiptSchema,
  RefusedReceiptSchema,
  ConflictReceiptSchema,
]);
export type OriginalReceipt = z.infer<typeof OriginalReceiptSchema>;

/** A repeat of a change already seen with the same content: the original answer (PU3). */
export const DuplicateReceiptSchema = z.object({
  changeId: ChangeIdSchema,
  status: z.literal('duplicate'),
  original: OriginalReceiptSchema,
});

export const ReceiptSchema = z.discriminatedUnion('status', [
  AppliedReceiptSchema,
  RefusedReceiptSchema,
  ConflictReceiptSchema,
  DuplicateReceiptSchema,
]);
export type Receipt = z.infer<typeof ReceiptSchema>;
export type AppliedReceipt = z.infer<typeof AppliedReceiptSchema>;
export type RefusedReceipt = z.infer<typeof RefusedReceiptSchema>;
export type ConflictReceipt = z.infer<typeof ConflictReceiptSchema>;
export type DuplicateReceipt = z.infer<typeof DuplicateReceiptSchema>;

export const PushResponseSchema = z.strictObject({
  /** Marks a real sync answer: a captive portal's 200 cannot carry it (PU5). */
  ok: z.literal(true),
  protocolVersion: z.number().int(),
  /** One receipt per change, in request order. */
  receipts: z.array(ReceiptSchema),
  /** The server's clock, so devices keep their HLC ahead of what they have seen. */
  serverHlc: z.string(),
});
export type PushResponse = z.infer<typeof PushResponseSchema>;

/** The final outcome a receipt stands for (a duplicate stands for its original). */
export function finalReceipt(r: Receipt): OriginalReceipt {
  return r.status === 'duplicate' ? r.original : r;
}
