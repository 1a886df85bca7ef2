/**
 * The person's punches (append-only, CF3) and the shift derived from them; recording a punch with a
 * location stamp when one comes quickly, flagged otherwise (never blocked).
 */
import Dexie from 'dexie';
import type { PunchFlag, PunchKind, PunchRecord } from '../../protocol/index.ts';
import { recordPunch } from '../data/index.ts';
import { connectivity } from './connectivity.svelte.ts';
import { device } from './device.svelte.ts';
import { locate } from './geolocation.ts';
import { live, type Live } from './live.svelte.ts';
import { dayBounds, shiftState, type ShiftState } from './shift.ts';

export type { PunchFlag, PunchKind, PunchRecord, ShiftState };

export interface ShiftOverview {
  readonly state: ShiftState;
  /** Today's punches, newest first. */
  readonly today: readonly PunchRecord[];
  /** When the open shift began (the last clock-in), if one is open. */
  readonly openSince: number | null;
}

/** How many recent punches decide the current state (an open shift from days ago still counts). */
const RECENT = 200;

export function shiftOverview(now: () => number = Date.now): Live<ShiftOverview> {
  return live(
    () => device.scope,
    async (scope) => {
      const recent = (
        await scope.db.punches
          .where('[userId+at]')
          .between([scope.userId, Dexie.minKey], [scope.userId, Dexie.maxKey])
          .reverse()
          .limit(RECENT)
          .toArray()
      ).filter((p) => !p.deleted);
      const state = shiftState(recent);
      const { start, end } = dayBounds(now());
      const today = recent.filter((p) => p.at >= start && p.at < end).sort((a, b) => b.at - a.at || b.recordedAt - a.recordedAt);
      const lastIn = recent.filter((p) => p.kind === 'clock_in').sort((a, b) => b.at - a.at)[0];
      return { state, today, openSince: state === 'off' ? null : (lastIn?.at ?? null) };
    },
    { state: 'off', today: [], openSince: null },
  );
}

export const punchActions = {
  /**
   * Record a punch for the moment of the tap. Waits at most 5 s for a location, then saves with or
   * without it; resolves once committed on this device.
   */
  async punch(kind: PunchKind, geolocation: Geolocation | undefined = navigator.geolocation) {
    const at = Date.now();
    const location = await locate(geolocation);
    return device.write((ctx) => recordPunch(ctx, { kind, at, location, offline: !connectivity.online }));
  },

  /** "Forgot to clock out": a clock-out at the real time, with a reason; flagged `correction` for review. */
  correctClockOut(at: number, reason: string) {
    return device.write((ctx) =>
      recordPunch(ctx, { kind: 'clock_out', at, location: null, correctionReason: reason.trim(), offline: !connectivity.online }),
    );
  },
};
