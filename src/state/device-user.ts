/**
 * Who the device's local data belongs to (OB9). One database per device (every context opens the one
 * schema, VR2), so when another person signs in on the same device:
 * - if the previous person still has changes the server has not taken (pending, sending, refused,
 *   conflict), the device is HELD: nothing is sent under the new person's session and nothing is wiped;
 *   the previous person must sign in and sync first;
 * - otherwise the previous person's records are cleared and the new person's first pull brings
 *   everything they may see (PL2).
 */
import { handOver } from '../data/index.ts';
import type { HandOverResult, OutpostDb } from '../data/index.ts';

export type ClaimResult = HandOverResult;

export function claimDevice(db: OutpostDb, userId: string): Promise<ClaimResult> {
  return handOver(db, userId);
}
