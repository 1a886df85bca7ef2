import { createHash } from 'node:crypto';
import type { Change } from '../../protocol/index.ts';
import { ChangeSchema, PAYLOAD_MIGRATIONS, PAYLOAD_VERSION, canonicalJson, changeContent } from '../../protocol/index.ts';
import type { IncomingChange } from './types.ts';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** PU3: the hash that binds a change id to its content. */
export function contentHashOf(change: Change): string {
  return sha256Hex(canonicalJson(changeContent(change)));
}

export interface PrepareOptions {
  readonly payloadVersion?: number;
  readonly migrations?: Readonly<Record<number, (change: Change) => Change>>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Field keys that name members of Object.prototype (`constructor`, `toString`, …)
 * make protocol `fieldSchema` return a function instead of a schema; refuse them
 * before the schema runs so hostile keys get a 4xx-style refusal, never a crash (SV3).
 */
function inheritedKey(fields: unknown): string | undefined {
  if (!isRecord(fields)) return undefined;
  for (const key of Object.keys(fields)) {
    const dot = key.indexOf('.');
    const head = dot > 0 ? key.slice(0, dot) : key;
    if (key in Object.prototype || head in Object.prototype) return key;
  }
  return undefined;
}

function firstIssue(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  if (!issue) return 'The change is not valid.';
  const path = issue.path.map((p) => String(p)).join('.');
  const last = String(issue.path[issue.path.length - 1] ?? '');
  const message = path && !issue.message.startsWith(last) ? `${path}: ${issue.message}` : issue.message;
  return message.slice(0, 500);
}

/** PU6: run the payload migrations from the change's version up to the current one. */
function migrate(raw: Record<string, unknown>, from: number, to: number, migrations: PrepareOptions['migrations']): Record<string, unknown> | string {
  let current = raw;
  for (let v = from; v < to; v += 1) {
    const step = migrations?.[v];
    if (!step) return `Changes written with payload version ${v} can no longer be read by this server.`;
    current = { ...(step(current as unknown as Change) as unknown as Record<string, unknown>), payloadVersion: v + 1 };
  }
  return current;
}

/**
 * Check each element of a push on its own (PU2), migrate older payloads and
 * refuse newer ones (PU6), and hash its content (PU3). Pure apart from hashing.
 * Elements must already carry a valid change id (the envelope checks that).
 */
export function prepareChange(raw: { id: string } & Record<string, unknown>, options: PrepareOptions = {}): IncomingChange {
  const current = options.payloadVersion ?? PAYLOAD_VERSION;
  const migrations = options.migrations ?? PAYLOAD_MIGRATIONS;
  const refuse = (code: 'invalid_change' | 'payload_too_new', reason: string, storeReceipt = true): IncomingChange => ({
    kind: 'refused',
    id: raw.id,
    code,
    reason,
    contentHash: sha256Hex(canonicalJson(raw)),
    raw,
    storeReceipt,
  });

  const version = raw.payloadVersion;
  if (typeof version === 'number' && Number.isInteger(version) && version > current) {
    // PU6: written by a newer app; not stored, so a resend after an upgrade is decided afresh.
    return refuse('payload_too_new', `This change was made by a newer version of the app (payload ${version}); the server reads up to ${current}. Update the server or wait for it to be updated.`, false);
  }
  const hostile = inheritedKey(raw.fields);
  if (hostile !== undefined) return refuse('invalid_change', `fields.${hostile}: unknown field "${hostile}"`);

  let candidate: Record<string, unknown> = raw;
  if (typeof version === 'number' && Number.isInteger(version) && version >= 1 && version < current) {
    const migrated = migrate(raw, version, current, migrations);
    if (typeof migrated === 'string') return refuse('invalid_change', migrated);
    candidate = migrated;
  }

  let parsed: ReturnType<typeof ChangeSchema.safeParse>;
  try {
    parsed = ChangeSchema.safeParse(candidate);
  } catch {
    // Defence in depth: a schema that throws is the change's fault, not a server fault (SV3).
    return refuse('invalid_change', 'The change could not be read.');
  }
  if (!parsed.success) return refuse('invalid_change', firstIssue(parsed.error));
  return {
    kind: 'valid',
    id: raw.id,
    change: parsed.data,
    contentHash: contentHashOf(raw as unknown as Change),
    raw,
  };
}

export function prepareChanges(raws: readonly ({ id: string } & Record<string, unknown>)[], options: PrepareOptions = {}): IncomingChange[] {
  return raws.map((raw) => prepareChange(raw, options));
}
