import { z } from 'zod';
import { UserIdSchema } from './ids.ts';

/**
 * Entities and their fields. State is kept as a flat map from a field key to
 * a value; map-like fields (checklist, measurements) use one key per item
 * (`checklist.<itemId>`), so merge rules apply per item (SYNC-SPEC CF2).
 */
export const ENTITY_NAMES = ['job', 'report', 'punch'] as const;
export const EntityNameSchema = z.enum(ENTITY_NAMES);
export type EntityName = z.infer<typeof EntityNameSchema>;

export const JOB_STATUSES = ['scheduled', 'in_progress', 'done', 'cancelled'] as const;
export const JobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatusSchema>;

export const PUNCH_KINDS = ['clock_in', 'clock_out', 'break_start', 'break_end'] as const;
export const PunchKindSchema = z.enum(PUNCH_KINDS);
export type PunchKind = z.infer<typeof PunchKindSchema>;

export const PUNCH_FLAGS = ['no_location', 'offline', 'correction'] as const;
export const PunchFlagSchema = z.enum(PUNCH_FLAGS);
export type PunchFlag = z.infer<typeof PunchFlagSchema>;

const ItemIdPattern = /^[A-Za-z0-9_-]{1,64}$/;
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'dates are YYYY-MM-DD');
const EpochMs = z.number().int().min(0).max(8.64e15);

export const ChecklistItemSchema = z.strictObject({
  label: z.string().min(1).max(200),
  done: z.boolean(),
});
export type ChecklistItem = z.infer<typeof ChecklistItemSchema>;

export const MeasurementSchema = z.strictObject({
  label: z.string().min(1).max(200),
  value: z.number().finite(),
  unit: z.string().max(20),
});
export type Measurement = z.infer<typeof MeasurementSchema>;

export const LocationSchema = z.strictObject({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  accuracyM: z.number().min(0).max(1e7),
});
export type Location = z.infer<typeof LocationSchema>;

/** Plain fields by entity: key → schema of its value. */
export const FIELD_SCHEMAS = {
  job: {
    title: z.string().min(1).max(200),
    site: z.string().max(300),
    details: z.string().max(5000),
    scheduledFor: IsoDate,
    assigneeId: UserIdSchema.nullable(),
    status: JobStatusSchema,
  },
  report: {
    jobId: z.string().min(1).max(100),
    notes: z.string().max(20000),
  },
  punch: {
    userId: UserIdSchema,
    kind: PunchKindSchema,
    /** The moment the punch stands for (device clock, or the corrected time). */
    at: EpochMs,
    /** Device clock when the punch was recorded. */
    recordedAt: EpochMs,
    /** Monotonic milliseconds since `bootId` started: survives wall-clock changes. */
    elapsedMs: z.number().min(0).max(1e12),
    bootId: z.string().min(1).max(64),
    location: LocationSchema.nullable(),
    flags: z.array(PunchFlagSchema).max(PUNCH_FLAGS.length),
    correctionReason: z.string().min(1).max(1000).nullable(),
  },
} as const satisfies Record<EntityName, Record<string, z.ZodType>>;

/** Map-like fields by entity: key prefix → schema of one item (null removes it). */
export const ITEM_SCHEMAS = {
  job: {},
  report: {
    checklist: ChecklistItemSchema.nullable(),
    measurements: MeasurementSchema.nullable(),
  },
  punch: {},
} as const satisfies Record<EntityName, Record<string, z.ZodType>>;

/** Fields a `create` must carry. */
export const REQUIRED_ON_CREATE: Record<EntityName, readonly string[]> = {
  job: ['title', 'scheduledFor', 'status'],
  report: ['jobId'],
  punch: ['userId', 'kind', 'at', 'recordedAt', 'elapsedMs', 'bootId', 'location', 'flags', 'correctionReason'],
};

/** Limits that keep one change and one batch small. */
export const LIMITS = {
  maxFieldsPerChange: 100,
  maxChangesPerPush: 500,
  maxPullLimit: 1000,
  defaultPullLimit: 500,
  maxBodyBytes: 1024 * 1024,
} as const;

/** The schema for one field key of an entity, or undefined if the key is unknown. */
export function fieldSchema(entity: EntityName, key: string): z.ZodType | undefined {
  // Own keys only: `constructor`, `toString` and friends are unknown fields, not functions.
  const plain = FIELD_SCHEMAS[entity] as Record<string, z.ZodType>;
  if (Object.hasOwn(plain, key)) return plain[key];
  const dot = key.indexOf('.');
  if (dot <= 0) return undefined;
  const prefix = key.slice(0, dot);
  const items = ITEM_SCHEMAS[entity] as Record<string, z.ZodType>;
  if (!Object.hasOwn(items, prefix) || !ItemIdPattern.test(key.slice(dot + 1))) return undefined;
  return items[prefix];
}

/** Flat state → the nested record the app shows. */
export interface JobRecord {
  id: string;
  version: number;
  title: string;
  site: string;
  details: string;
  scheduledFor: string;
  assigneeId: string | null;
  status: JobStatus;
  deleted: boolean;
}

export interface ReportRecord {
  id: string;
  version: number;
  jobId: string;
  notes: string;
  checklist: Record<string, ChecklistItem>;
  measurements: Record<string, Measurement>;
  deleted: boolean;
}

export interface PunchRecord {
  id: string;
  version: number;
  userId: string;
  kind: PunchKind;
  at: number;
  recordedAt: number;
  elapsedMs: number;
  bootId: string;
  location: Location | null;
  flags: PunchFlag[];
  correctionReason: string | null;
  deleted: boolean;
}

export interface EntityRecords {
  job: JobRecord;
  report: ReportRecord;
  punch: PunchRecord;
}

/** Collect `prefix.<id>` keys of a flat map into an object, dropping removed (null) items. */
function collectItems<T>(fields: Record<string, unknown>, prefix: string): Record<string, T> {
  const out: Record<string, T> = {};
  const p = `${prefix}.`;
  for (const [key, value] of Object.entries(fields)) {
    if (key.startsWith(p) && value !== null && value !== undefined) out[key.slice(p.length)] = value as T;
  }
  return out;
}

/** Build the nested record for an entity from its flat fields. */
export function toRecord<E extends EntityName>(
  entity: E,
  id: string,
  version: number,
  deleted: boolean,
  f: Record<string, unknown>,
): EntityRecords[E] {
  switch (entity) {
    case 'job':
      return {
        id,
        version,
        deleted,
        title: (f.title as string | undefined) ?? '',
        site: (f.site as string | undefined) ?? '',
        details: (f.details as string | undefined) ?? '',
        scheduledFor: (f.scheduledFor as string | undefined) ?? '',
        assigneeId: (f.assigneeId as string | null | undefined) ?? null,
        status: (f.status as JobStatus | undefined) ?? 'scheduled',
      } satisfies JobRecord as EntityRecords[E];
    case 'report':
      return {
        id,
        version,
        deleted,
        jobId: (f.jobId as string | undefined) ?? id,
        notes: (f.notes as string | undefined) ?? '',
        checklist: collectItems<ChecklistItem>(f, 'checklist'),
        measurements: collectItems<Measurement>(f, 'measurements'),
      } satisfies ReportRecord as EntityRecords[E];
    case 'punch':
      return {
        id,
        version,
        deleted,
        userId: (f.userId as string | undefined) ?? '',
        kind: (f.kind as PunchKind | undefined) ?? 'clock_in',
        at: (f.at as number | undefined) ?? 0,
        recordedAt: (f.recordedAt as number | undefined) ?? 0,
        elapsedMs: (f.elapsedMs as number | undefined) ?? 0,
        bootId: (f.bootId as string | undefined) ?? '',
        location: (f.location as Location | null | undefined) ?? null,
        flags: (f.flags as PunchFlag[] | undefined) ?? [],
        correctionReason: (f.correctionReason as string | null | undefined) ?? null,
      } satisfies PunchRecord as EntityRecords[E];
    default:
      throw new Error(`unknown entity ${String(entity)}`);
  }
}

/**
 * The flat fields a record shows: the inverse of `toRecord` for everything the record holds, so
 * `toRecord(e, id, v, d, toFields(e, r))` equals `r`. Items removed with null and fields this
 * version does not know are not in a record, so they are not in its fields either (RC4: the base
 * of a synced entity without own changes is kept as its visible record).
 */
export function toFields<E extends EntityName>(entity: E, record: EntityRecords[E]): Record<string, unknown> {
  switch (entity) {
    case 'job': {
      const r = record as JobRecord;
      return { title: r.title, site: r.site, details: r.details, scheduledFor: r.scheduledFor, assigneeId: r.assigneeId, status: r.status };
    }
    case 'report': {
      const r = record as ReportRecord;
      const fields: Record<string, unknown> = { jobId: r.jobId, notes: r.notes };
      for (const [id, item] of Object.entries(r.checklist)) fields[`checklist.${id}`] = item;
      for (const [id, m] of Object.entries(r.measurements)) fields[`measurements.${id}`] = m;
      return fields;
    }
    case 'punch': {
      const r = record as PunchRecord;
      return {
        userId: r.userId,
        kind: r.kind,
        at: r.at,
        recordedAt: r.recordedAt,
        elapsedMs: r.elapsedMs,
        bootId: r.bootId,
        location: r.location,
        flags: r.flags,
        correctionReason: r.correctionReason,
      };
    }
    default:
      throw new Error(`unknown entity ${String(entity)}`);
  }
}
