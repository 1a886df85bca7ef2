import { z } from 'zod';
import { ChangeIdSchema, DeviceIdSchema, EntityIdSchema } from './ids.ts';
import { EntityNameSchema, LIMITS, REQUIRED_ON_CREATE, fieldSchema } from './entities.ts';
import { HLC_PATTERN } from './hlc.ts';

export const OPS = ['create', 'update', 'delete'] as const;
export const OpSchema = z.enum(OPS);
export type Op = z.infer<typeof OpSchema>;

/**
 * One change made on a device (SYNC-SPEC PU1). Stored in the outbox by meaning
 * (not as an HTTP request) and sent in batches; `id` makes it idempotent.
 */
export const ChangeSchema = z
  .strictObject({
    id: ChangeIdSchema,
    deviceId: DeviceIdSchema,
    entity: EntityNameSchema,
    entityId: EntityIdSchema,
    op: OpSchema,
    /** Flat field key → new value (`checklist.<item>` keys for items). Empty for delete. */
    fields: z.record(z.string().max(100), z.unknown()),
    /** Hybrid logical clock stamp of the edit: orders concurrent edits (CF1). */
    hlc: z.string().regex(HLC_PATTERN, 'hlc must be a hybrid logical clock stamp'),
    /** Server version of the entity the device had when it made the edit; 0 if none. */
    baseVersion: z.number().int().min(0),
    /** Version of the `fields` payload format (see PAYLOAD_VERSION). */
    payloadVersion: z.number().int().min(1),
  })
  .superRefine((change, ctx) => {
    const keys = Object.keys(change.fields);
    if (keys.length > LIMITS.maxFieldsPerChange) {
      ctx.addIssue({ code: 'custom', path: ['fields'], message: `at most ${LIMITS.maxFieldsPerChange} fields per change` });
      return;
    }
    if (change.op === 'delete' && keys.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['fields'], message: 'a delete carries no fields' });
    }
    if (change.op !== 'delete' && keys.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['fields'], message: 'a change must set at least one field' });
    }
    for (const key of keys) {
      const schema = fieldSchema(change.entity, key);
      if (!schema) {
        ctx.addIssue({ code: 'custom', path: ['fields', key], message: `unknown field "${key}" for ${change.entity}` });
        continue;
      }
      const parsed = schema.safeParse(change.fields[key]);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        ctx.addIssue({ code: 'custom', path: ['fields', key], message: `${key}: ${first?.message ?? 'invalid value'}` });
      }
    }
    if (change.op === 'create') {
      for (const key of REQUIRED_ON_CREATE[change.entity]) {
        if (!(key in change.fields)) {
          ctx.addIssue({ code: 'custom', path: ['fields', key], message: `creating a ${change.entity} needs "${key}"` });
        }
      }
    }
  });
export type Change = z.infer<typeof ChangeSchema>;

/** The parts of a change that define its content; hashed for idempotency (PU3). */
export function changeContent(change: Change): unknown {
  return {
    id: change.id,
    deviceId: change.deviceId,
    entity: change.entity,
    entityId: change.entityId,
    op: change.op,
    fields: change.fields,
    hlc: change.hlc,
    baseVersion: change.baseVersion,
    payloadVersion: change.payloadVersion,
  };
}

/** Quoted field names, cached: the same few keys come in every change. Bounded against hostile input. */
const QUOTED_KEYS = new Map<string, string>();
function quotedKey(key: string): string {
  let quoted = QUOTED_KEYS.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (QUOTED_KEYS.size < 1_000) QUOTED_KEYS.set(key, quoted);
  }
  return quoted;
}

/**
 * JSON with object keys sorted (by UTF-16 code units), so equal content gives equal text. Object
 * members whose value is undefined are left out; undefined, functions and symbols elsewhere are
 * `null`; an array's holes are empty (`[1,,2]`). The text is hashed and stored (PU3): it must never
 * change for a given value. Written as plain loops: the server runs it for every pushed change.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value); // as JSON.stringify, without its call
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) {
      if (i > 0) out += ',';
      if (i in value) out += canonicalJson(value[i]);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const key of keys) {
    const v = record[key];
    if (v === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${quotedKey(key)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/**
 * Payload migrations: from version N to N+1, keyed by N. A change queued by an
 * older app is migrated on the server before it is applied (PU6).
 */
export const PAYLOAD_MIGRATIONS: Record<number, (change: Change) => Change> = {};
