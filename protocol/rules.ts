import type { EntityName } from './entities.ts';

/**
 * How concurrent edits to one field are settled (SYNC-SPEC CF1–CF4).
 * - `lww`: last writer wins by hybrid logical clock, per field (per item for
 *   checklist and measurement keys).
 * - `review`: if someone else changed the field after the version this edit
 *   was made on, and to another value, the server keeps its value and records
 *   a conflict for a person to decide.
 */
export type FieldRule = 'lww' | 'review';

export interface EntityRules {
  /** `append-only` entities are only ever created (punches, CF3). */
  readonly mode: 'mutable' | 'append-only';
  /** Rule for a plain field key or an item prefix (`checklist`); others use `lww`. */
  readonly fields: Readonly<Record<string, FieldRule>>;
  /** Why a `review` field is reviewed; shown to people with the conflict. */
  readonly reviewReason?: string;
}

/** The one table of merge rules. The server and the device's reconciler both read it. */
export const RULES = {
  job: {
    mode: 'mutable',
    fields: {
      // A worker finishing a job the manager cancelled (or the reverse) needs a person.
      status: 'review',
    },
    reviewReason: 'The job status was changed by someone else at the same time.',
  },
  report: {
    mode: 'mutable',
    // notes: per-field last writer for now; overlapping text edits move to review
    // with the conflict review queue.
    fields: {},
  },
  punch: {
    mode: 'append-only',
    fields: {},
  },
} as const satisfies Record<EntityName, EntityRules>;

export function ruleFor(entity: EntityName, key: string): FieldRule {
  const fields: Readonly<Record<string, FieldRule>> = RULES[entity].fields;
  const direct = fields[key];
  if (direct) return direct;
  const dot = key.indexOf('.');
  if (dot > 0) {
    const byPrefix = fields[key.slice(0, dot)];
    if (byPrefix) return byPrefix;
  }
  return 'lww';
}
