import { ChangeSchema, PAYLOAD_VERSION, applyChange, toRecord } from '../../protocol/index.ts';
import type {
  Change,
  ChangeId,
  ChecklistItem,
  EntityName,
  JobStatus,
  Location,
  Measurement,
  PunchFlag,
  PunchKind,
} from '../../protocol/index.ts';
import { visibleTable } from './db.ts';
import type { EntityKey, OutboxRow, OutpostDb } from './db.ts';
import { ChangeRefusedError, InvalidChangeError, toWriteError } from './errors.ts';
import { ensureDeviceId, getMeta, nextDeviceHlc, setMeta } from './meta.ts';
import { baseFromRecord, pendingRow, rowToChange, visibleState } from './visible.ts';

/** Everything a write needs, injected (STYLE 3). */
export interface DataContext {
  readonly db: OutpostDb;
  readonly deviceId: string;
  readonly userId: string;
  /** Wall clock, ms since epoch. */
  readonly now: () => number;
  /** Monotonic ms since `bootId` started (performance.now() in a browser). */
  readonly elapsedMs: () => number;
  readonly bootId: string;
  /** A random UUID (change ids, new entity ids). */
  readonly uuid: () => string;
}

/** What a committed write returns: the change is "saved on this device" (OB1). */
export interface WriteResult {
  readonly entity: EntityName;
  readonly entityId: string;
  /** The outbox row's change id (the folded row's when `folded`). */
  readonly changeId: ChangeId;
  readonly hlc: string;
  /** True when the edit was folded into an unsent pending row (OB5). */
  readonly folded: boolean;
}

/** Build a DataContext, creating this device's id on first use. */
export async function openDataContext(opts: Omit<DataContext, 'deviceId'>): Promise<DataContext> {
  const deviceId = await ensureDeviceId(opts.db, opts.uuid);
  return { ...opts, deviceId };
}

function validate(change: Change): void {
  const parsed = ChangeSchema.safeParse(change);
  if (!parsed.success) {
    throw new InvalidChangeError(parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)));
  }
}

/** OB5: a row may take a new edit only if it is the entity's last row, pending, never sent, made on the same base. */
function canFold(row: OutboxRow | undefined, baseVersion: number): row is OutboxRow {
  return !!row && row.state === 'pending' && row.attempts === 0 && row.op !== 'delete' && row.baseVersion === baseVersion;
}

interface Edit {
  readonly entity: EntityName;
  readonly entityId: string;
  /** `create-or-update`: a report's first write creates it (with `jobId`), later ones update. */
  readonly op: 'create' | 'update' | 'create-or-update';
  readonly fields: Record<string, unknown>;
}

/**
 * The one write path (OB1, OB2): in ONE rw transaction, tick the HLC (SY6),
 * add or fold (OB5) the outbox row, and store the visible record as
 * rebase(base, own changes) (RC2). Resolves only after the commit; rejects
 * with StorageFullError / WriteFailedError / ... otherwise (OB6).
 */
async function commitEdit(ctx: DataContext, edit: Edit): Promise<WriteResult> {
  const { db } = ctx;
  const fields = Object.fromEntries(Object.entries(edit.fields).filter(([, v]) => v !== undefined));
  try {
    return await db.transaction('rw', [visibleTable(db, edit.entity), db.base, db.outbox, db.meta], async () => {
      const now = ctx.now();
      const key: EntityKey = [edit.entity, edit.entityId];
      // Every read in one round (IndexedDB answers them together): the base row, the entity's own
      // changes, the visible record (RC4: it holds the base of a synced entity without own changes; a
      // create needs none — an entity the device already shows cannot be created again: fresh ids) and
      // the device clock (SY6).
      const [stored, rows, shown, clock] = await Promise.all([
        db.base.get(key),
        db.outbox.where('[entity+entityId]').equals([edit.entity, edit.entityId]).sortBy('seq'),
        edit.op === 'create' ? undefined : visibleTable(db, edit.entity).get(edit.entityId),
        getMeta(db, 'hlc'),
      ]);
      // RC4: keep the base as a base row before the visible record starts showing this change.
      const keep = rows.length === 0 && !stored && shown ? baseFromRecord(edit.entity, shown) : null;
      const base = stored ?? keep ?? null;
      // "baseVersion" is the server version the device holds, never the visible one.
      const baseVersion = base?.version ?? 0;
      let op: 'create' | 'update' = edit.op === 'create' ? 'create' : 'update';
      let changeFields = fields;
      if (edit.op === 'create-or-update') {
        const exists = !!base || rows.some((r) => r.op === 'create' && (r.state === 'pending' || r.state === 'sending' || r.state === 'acked'));
        if (!exists) {
          op = 'create';
          changeFields = { jobId: edit.entityId, ...fields };
        }
      }
      const hlc = nextDeviceHlc(clock, ctx.deviceId, now);
      const change: Change = {
        id: ctx.uuid() as ChangeId,
        deviceId: ctx.deviceId,
        entity: edit.entity,
        entityId: edit.entityId,
        op,
        fields: changeFields,
        hlc,
        baseVersion,
        payloadVersion: PAYLOAD_VERSION,
      };
      validate(change);
      const check = applyChange(visibleState(base, rows), change);
      if (check.kind === 'refused') throw new ChangeRefusedError(check.code, check.reason);

      const last = rows.at(-1);
      const folded = op === 'update' && canFold(last, baseVersion);
      // OB5: a fold keeps the latest value per field and the new HLC; the row keeps its id and place.
      const written: Omit<OutboxRow, 'seq'> | OutboxRow = folded ? { ...last, fields: { ...last.fields, ...changeFields }, hlc, updatedAt: now } : pendingRow(change, now);
      if (folded) validate(rowToChange(written as OutboxRow));
      const nextRows = folded ? [...rows.slice(0, -1), written as OutboxRow] : [...rows, written as OutboxRow];
      const state = visibleState(base, nextRows);
      // Every write in one round; the transaction commits after the last (OB1).
      await Promise.all([
        setMeta(db, 'hlc', hlc),
        keep ? db.base.put(keep) : null,
        folded ? db.outbox.put(written as OutboxRow) : db.outbox.add(written as OutboxRow),
        state ? visibleTable(db, edit.entity).put(toRecord(edit.entity, edit.entityId, state.version, state.deleted, state.fields)) : null,
      ]);
      return { entity: edit.entity, entityId: edit.entityId, changeId: written.changeId, hlc, folded };
    });
  } catch (err) {
    throw toWriteError(err, db.closedForUpgrade);
  }
}

// ---------------------------------------------------------------- jobs

export interface NewJob {
  title: string;
  scheduledFor: string;
  site?: string;
  details?: string;
  assigneeId?: string | null;
  status?: JobStatus;
}

export type JobEdit = Partial<{
  title: string;
  site: string;
  details: string;
  scheduledFor: string;
  assigneeId: string | null;
  status: JobStatus;
}>;

/** Create a job (managers). The id is made here. */
export function createJob(ctx: DataContext, fields: NewJob): Promise<WriteResult> {
  return commitEdit(ctx, {
    entity: 'job',
    entityId: ctx.uuid(),
    op: 'create',
    fields: {
      title: fields.title,
      scheduledFor: fields.scheduledFor,
      site: fields.site ?? '',
      details: fields.details ?? '',
      assigneeId: fields.assigneeId ?? null,
      status: fields.status ?? 'scheduled',
    },
  });
}

/** Edit a job's fields (managers). */
export function updateJob(ctx: DataContext, jobId: string, fields: JobEdit): Promise<WriteResult> {
  return commitEdit(ctx, { entity: 'job', entityId: jobId, op: 'update', fields });
}

/** Start, finish or cancel a job (a `review` field, CF4). */
export function setJobStatus(ctx: DataContext, jobId: string, status: JobStatus): Promise<WriteResult> {
  return commitEdit(ctx, { entity: 'job', entityId: jobId, op: 'update', fields: { status } });
}

// ---------------------------------------------------------------- reports (id = job id)

export function saveReportNotes(ctx: DataContext, jobId: string, notes: string): Promise<WriteResult> {
  return commitEdit(ctx, { entity: 'report', entityId: jobId, op: 'create-or-update', fields: { notes } });
}

/** Set or (with null) remove one checklist item; items merge one by one (CF2). */
export function setChecklistItem(ctx: DataContext, jobId: string, itemId: string, item: ChecklistItem | null): Promise<WriteResult> {
  return commitEdit(ctx, { entity: 'report', entityId: jobId, op: 'create-or-update', fields: { [`checklist.${itemId}`]: item } });
}

/** Set or (with null) remove one measurement (CF2). */
export function setMeasurement(ctx: DataContext, jobId: string, itemId: string, m: Measurement | null): Promise<WriteResult> {
  return commitEdit(ctx, { entity: 'report', entityId: jobId, op: 'create-or-update', fields: { [`measurements.${itemId}`]: m } });
}

// ---------------------------------------------------------------- punches (append-only, CF3)

export interface NewPunch {
  kind: PunchKind;
  /** null when the person did not allow location or none was found: flagged `no_location`, never blocked. */
  location: Location | null;
  /** The moment the punch stands for; defaults to now. A correction gives the real time. */
  at?: number;
  /** Given for a correction (e.g. a forgotten clock-out): flagged `correction`. */
  correctionReason?: string;
  /** True when the device knows it is offline: flagged `offline`. */
  offline?: boolean;
}

export function recordPunch(ctx: DataContext, punch: NewPunch): Promise<WriteResult> {
  const now = ctx.now();
  const flags: PunchFlag[] = [];
  if (punch.location === null) flags.push('no_location');
  if (punch.offline) flags.push('offline');
  if (punch.correctionReason !== undefined) flags.push('correction');
  return commitEdit(ctx, {
    entity: 'punch',
    entityId: ctx.uuid(),
    op: 'create',
    fields: {
      userId: ctx.userId,
      kind: punch.kind,
      at: Math.floor(punch.at ?? now),
      recordedAt: Math.floor(now),
      elapsedMs: ctx.elapsedMs(),
      bootId: ctx.bootId,
      location: punch.location,
      flags,
      correctionReason: punch.correctionReason ?? null,
    },
  });
}
