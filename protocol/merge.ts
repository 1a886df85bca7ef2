import type { Change } from './changes.ts';
import { canonicalJson } from './changes.ts';
import type { EntityName } from './entities.ts';
import { compareHlc } from './hlc.ts';
import type { FieldClock, PulledRecord } from './pull.ts';
import type { ConflictField, RefusalCode } from './push.ts';
import { RULES, ruleFor } from './rules.ts';

/** The state of one entity: flat fields with a clock per field. */
export interface EntityState {
  readonly entity: EntityName;
  readonly entityId: string;
  readonly version: number;
  readonly deleted: boolean;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly clocks: Readonly<Record<string, FieldClock>>;
}

export type ApplyResult =
  | { readonly kind: 'applied'; readonly state: EntityState; readonly superseded: string[] }
  | {
      readonly kind: 'conflict';
      readonly state: EntityState;
      readonly superseded: string[];
      readonly fields: ConflictField[];
      readonly reason: string;
    }
  | { readonly kind: 'refused'; readonly code: RefusalCode; readonly reason: string };

function sameValue(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

const ENTITY_LABEL: Record<EntityName, string> = { job: 'job', report: 'job report', punch: 'punch' };

/**
 * Apply one validated change to the current state (null if the entity does not
 * exist). Pure and deterministic: the server runs it to decide, the device's
 * reconciler runs it to predict (SYNC-SPEC CF1–CF5).
 */
export function applyChange(state: EntityState | null, change: Change): ApplyResult {
  const rules = RULES[change.entity];
  const label = ENTITY_LABEL[change.entity];
  if (state === null) {
    if (change.op !== 'create') {
      return { kind: 'refused', code: 'not_found', reason: `This ${label} does not exist on the server.` };
    }
  } else {
    if (state.deleted) {
      return { kind: 'refused', code: 'deleted', reason: `This ${label} was removed, so the change was not applied.` };
    }
    if (rules.mode === 'append-only') {
      return change.op === 'create'
        ? { kind: 'refused', code: 'already_exists', reason: `A ${label} with this id already exists.` }
        : { kind: 'refused', code: 'append_only', reason: `A ${label} cannot be changed once recorded; add a correction instead.` };
    }
  }

  const version = (state?.version ?? 0) + 1;
  const clock: FieldClock = { hlc: change.hlc, version, device: change.deviceId };
  const fields: Record<string, unknown> = { ...(state?.fields ?? {}) };
  const clocks: Record<string, FieldClock> = { ...(state?.clocks ?? {}) };

  if (change.op === 'delete') {
    return {
      kind: 'applied',
      state: { entity: change.entity, entityId: change.entityId, version, deleted: true, fields, clocks },
      superseded: [],
    };
  }

  const superseded: string[] = [];
  const conflicts: ConflictField[] = [];
  for (const key of Object.keys(change.fields).sort()) {
    const value = change.fields[key];
    const current = state?.clocks[key];
    if (
      current &&
      ruleFor(change.entity, key) === 'review' &&
      current.version > change.baseVersion &&
      current.device !== change.deviceId &&
      !sameValue(state?.fields[key], value)
    ) {
      conflicts.push({ field: key, serverValue: state?.fields[key] ?? null, clientValue: value });
      continue;
    }
    if (current && compareHlc(change.hlc, current.hlc) <= 0) {
      superseded.push(key);
      continue;
    }
    fields[key] = value;
    clocks[key] = clock;
  }

  const next: EntityState = { entity: change.entity, entityId: change.entityId, version, deleted: false, fields, clocks };
  if (conflicts.length > 0) {
    return {
      kind: 'conflict',
      state: next,
      superseded,
      fields: conflicts,
      reason: (rules as { reviewReason?: string }).reviewReason ?? 'Someone else changed this at the same time.',
    };
  }
  return { kind: 'applied', state: next, superseded };
}

/**
 * What a device shows: the server's state with its own unacknowledged changes
 * replayed on top, by the same rules the server will use (RC2).
 */
export function rebase(base: EntityState | null, pending: readonly Change[]): EntityState | null {
  let state = base;
  for (const change of pending) {
    const result = applyChange(state, change);
    if (result.kind !== 'refused') state = result.state;
  }
  return state;
}

export function stateFromPulled(r: PulledRecord): EntityState {
  return { entity: r.entity, entityId: r.entityId, version: r.version, deleted: r.deleted, fields: r.fields, clocks: r.clocks };
}
