import type { Change, ChangeId, OriginalReceipt, Receipt, RefusalCode } from '../../protocol/index.ts';
import { applyChange } from '../../protocol/index.ts';
import { assigneeOf, authorize } from './permissions.ts';
import type {
  Actor,
  ChangeLogRow,
  ConflictRow,
  EntityKey,
  IncomingChange,
  PlanInput,
  PlanNeeds,
  PlanOutput,
  ReceiptRow,
  RejectionRow,
  StoredEntity,
  StoredReceipt,
  Revocation,
} from './types.ts';
import { entityKey } from './types.ts';

/** What storage must load for `plan` to decide this batch. */
export function needs(_actor: Actor, changes: readonly IncomingChange[]): PlanNeeds {
  const keys = new Map<string, EntityKey>();
  const users = new Set<string>();
  const add = (k: EntityKey) => keys.set(entityKey(k.entity, k.entityId), k);
  for (const incoming of changes) {
    if (incoming.kind !== 'valid') continue;
    const { entity, entityId, fields } = incoming.change;
    add({ entity, entityId });
    // A report's id is its job's id: its permissions and scope come from the job (PL2).
    if (entity === 'report') add({ entity: 'job', entityId });
    if (entity === 'job' && 'assigneeId' in fields) add({ entity: 'report', entityId });
    if (entity === 'job' && typeof fields.assigneeId === 'string') users.add(fields.assigneeId);
    if (entity === 'punch' && typeof fields.userId === 'string') users.add(fields.userId);
  }
  return { changeIds: [...new Set(changes.map((c) => c.id))], entities: [...keys.values()], userIds: [...users] };
}

const ID_REUSED = 'This change id was already used for a different change, so this one was not applied. Send it again with a new id.';

/**
 * Decide a batch (PU1–PU6, CF1–CF7, PL2). Pure and synchronous: storage loads
 * what `needs` asks for inside its transaction, calls this, and writes the
 * result in the same transaction (PU4). Changes are decided in order; each one
 * sees the results of the earlier ones.
 */
export function plan(input: PlanInput): PlanOutput {
  const { actor, now } = input;
  let seq = input.nextSeq;
  const seen = new Map<string, StoredReceipt>(input.receipts);
  const working = new Map<string, StoredEntity>(input.entities);
  const changed = new Map<string, StoredEntity>();
  const receipts: Receipt[] = [];
  const log: ChangeLogRow[] = [];
  const newReceipts: ReceiptRow[] = [];
  const conflicts: ConflictRow[] = [];
  const rejections: RejectionRow[] = [];
  // PL4: the net effect per person and entity, so a job reassigned away and back in one batch ends visible.
  const access = new Map<string, { readonly kind: 'revoke'; readonly row: Revocation } | { readonly kind: 'restore'; readonly row: Omit<Revocation, 'version' | 'seq'> }>();
  const accessKey = (r: { userId: string; entity: string; entityId: string }) => `${r.userId}\u0000${r.entity}\u0000${r.entityId}`;
  const revoke = (row: Revocation) => access.set(accessKey(row), { kind: 'revoke', row });
  const restore = (row: Omit<Revocation, 'version' | 'seq'>) => access.set(accessKey(row), { kind: 'restore', row });

  const put = (row: StoredEntity) => {
    const key = entityKey(row.state.entity, row.state.entityId);
    working.set(key, row);
    changed.set(key, row);
  };
  const reject = (incoming: IncomingChange, code: RefusalCode, reason: string) =>
    rejections.push({ changeId: incoming.id, userId: actor.userId, orgId: actor.orgId, code, reason, content: incoming.raw, createdAt: now });
  const settle = (incoming: IncomingChange, receipt: OriginalReceipt, store = true) => {
    receipts.push(receipt);
    if (!store) return;
    const row = { changeId: incoming.id, userId: actor.userId, contentHash: incoming.contentHash, receipt, createdAt: now };
    newReceipts.push(row);
    seen.set(incoming.id, row);
  };
  const refuse = (incoming: IncomingChange, code: RefusalCode, reason: string, store = true) => {
    reject(incoming, code, reason);
    settle(incoming, { changeId: incoming.id as ChangeId, status: 'refused', code, reason }, store);
  };

  for (const incoming of input.changes) {
    const prior = seen.get(incoming.id);
    if (prior) {
      // PU3: same person and same content → the original answer; anything else → id_reused, revealing nothing.
      if (prior.userId === actor.userId && prior.contentHash === incoming.contentHash) {
        receipts.push({ changeId: incoming.id as ChangeId, status: 'duplicate', original: prior.receipt });
      } else {
        reject(incoming, 'id_reused', ID_REUSED);
        receipts.push({ changeId: incoming.id as ChangeId, status: 'refused', code: 'id_reused', reason: ID_REUSED });
      }
      continue;
    }
    if (incoming.kind === 'refused') {
      refuse(incoming, incoming.code, incoming.reason, incoming.storeReceipt); // PU2, PU6
      continue;
    }
    const change = incoming.change;
    const lookup = (entity: Change['entity'], entityId: string) => working.get(entityKey(entity, entityId));
    const denied = authorize(actor, change, lookup, input.members);
    if (denied) {
      refuse(incoming, denied.code, denied.reason);
      continue;
    }
    const before = lookup(change.entity, change.entityId);
    const result = applyChange(before?.state ?? null, change);
    if (result.kind === 'refused') {
      refuse(incoming, result.code, result.reason); // CF3, CF5
      continue;
    }
    // CF7: applied or conflicting changes take the next sequence number.
    const at = seq++;
    const scopeUserId = change.entity === 'report' ? assigneeOf(lookup('job', change.entityId)) : null;
    put({ orgId: actor.orgId, state: result.state, lastSeq: at, scopeUserId });
    log.push({
      seq: at,
      orgId: actor.orgId,
      changeId: change.id,
      userId: actor.userId,
      deviceId: change.deviceId,
      entity: change.entity,
      entityId: change.entityId,
      version: result.state.version,
      outcome: result.kind,
      change,
      createdAt: now,
    });
    if (result.kind === 'applied') {
      settle(incoming, { changeId: change.id, status: 'applied', version: result.state.version, seq: at, superseded: result.superseded });
    } else {
      // CF4: the server keeps its value; the conflict waits for a person.
      for (const f of result.fields) {
        conflicts.push({
          id: `${change.id}:${f.field}`,
          orgId: actor.orgId,
          changeId: change.id,
          entity: change.entity,
          entityId: change.entityId,
          field: f.field,
          serverValue: f.serverValue,
          clientValue: f.clientValue,
          createdAt: now,
        });
      }
      settle(incoming, {
        changeId: change.id,
        status: 'conflict',
        version: result.state.version,
        seq: at,
        conflictId: change.id,
        fields: result.fields,
        reason: result.reason,
      });
    }
    // PL2: a reassigned job takes its report along to the new assignee, at a fresh position in the pull order.
    if (change.entity === 'job') {
      const assignee = assigneeOf({ orgId: actor.orgId, state: result.state, lastSeq: at, scopeUserId: null });
      const previous = assigneeOf(before);
      const report = lookup('report', change.entityId);
      if (report && report.scopeUserId !== assignee) put({ ...report, lastSeq: seq++, scopeUserId: assignee });
      if (previous !== assignee) {
        // PL4: the previous assignee's devices are told to forget the job and its report; the new one's
        // earlier revocations (if the job comes back) no longer hold.
        if (previous !== null) {
          revoke({ orgId: actor.orgId, userId: previous, entity: 'job', entityId: change.entityId, version: result.state.version, seq: seq++ });
          if (report) revoke({ orgId: actor.orgId, userId: previous, entity: 'report', entityId: change.entityId, version: report.state.version, seq: seq++ });
        }
        if (assignee !== null) {
          restore({ orgId: actor.orgId, userId: assignee, entity: 'job', entityId: change.entityId });
          restore({ orgId: actor.orgId, userId: assignee, entity: 'report', entityId: change.entityId });
        }
      }
    }
  }

  return {
    receipts,
    entities: [...changed.values()],
    log,
    newReceipts,
    conflicts,
    rejections,
    revocations: [...access.values()].flatMap((a) => (a.kind === 'revoke' ? [a.row] : [])),
    restored: [...access.values()].flatMap((a) => (a.kind === 'restore' ? [a.row] : [])),
    lastSeq: seq > input.nextSeq ? seq - 1 : null,
  };
}
