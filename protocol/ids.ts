import { z } from 'zod';

/** A client-made change id (UUID). */
export const ChangeIdSchema = z.uuid().brand<'ChangeId'>();
export type ChangeId = z.infer<typeof ChangeIdSchema>;

/** Entity ids are client-made: a UUID, or for a report the id of its job. */
export const EntityIdSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'ids use letters, digits and _ . : - only');

export const DeviceIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'device ids use letters, digits, _ and - only');

export const UserIdSchema = z.string().min(1).max(100);
