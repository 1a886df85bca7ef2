import type { Change, EntityName, RefusalCode } from '../../protocol/index.ts';
import type { Actor, StoredEntity } from './types.ts';

export interface Denial {
  readonly code: RefusalCode;
  readonly reason: string;
}

export type Lookup = (entity: EntityName, entityId: string) => StoredEntity | undefined;

const LABEL: Record<EntityName, string> = { job: 'job', report: 'job report', punch: 'punch' };

export function assigneeOf(job: StoredEntity | undefined): string | null {
  const value = job?.state.fields.assigneeId;
  return typeof value === 'string' ? value : null;
}

function ownerOfPunch(punch: StoredEntity | undefined): string | null {
  const value = punch?.state.fields.userId;
  return typeof value === 'string' ? value : null;
}

/** Checks every role shares: references stay inside the organisation and reports hang off their job. */
function checkReferences(actor: Actor, change: Change, lookup: Lookup, members: ReadonlySet<string>): Denial | null {
  const f = change.fields;
  if (change.entity === 'report') {
    if ('jobId' in f && f.jobId !== change.entityId) {
      return { code: 'invalid_change', reason: "jobId: a job report's id must be the id of its job." };
    }
    if (actor.role !== 'worker' && !lookup('job', change.entityId)) {
      return { code: 'not_found', reason: 'There is no such job for this report.' };
    }
  }
  if (actor.role === 'worker') return null;
  if (change.entity === 'job' && typeof f.assigneeId === 'string' && !members.has(f.assigneeId)) {
    return { code: 'invalid_change', reason: 'assigneeId: there is no such person in your organisation.' };
  }
  if (change.entity === 'punch' && typeof f.userId === 'string' && !members.has(f.userId)) {
    return { code: 'invalid_change', reason: 'userId: there is no such person in your organisation.' };
  }
  return null;
}

/** What a worker may write (PL2, SV4): their own punches, the status of their jobs, the reports of their jobs. */
function checkWorker(actor: Actor, change: Change, lookup: Lookup): Denial | null {
  if (change.op === 'delete') {
    return { code: 'forbidden', reason: `Only a manager can remove a ${LABEL[change.entity]}.` };
  }
  switch (change.entity) {
    case 'job': {
      if (change.op === 'create') return { code: 'forbidden', reason: 'Only a manager can create jobs.' };
      // Same answer whether the job is missing, someone else's or in another organisation: nothing leaks.
      if (assigneeOf(lookup('job', change.entityId)) !== actor.userId) {
        return { code: 'forbidden', reason: 'This job is not assigned to you, so you cannot change it.' };
      }
      const other = Object.keys(change.fields).filter((key) => key !== 'status');
      if (other.length > 0) {
        return {
          code: 'forbidden',
          reason: `You can change only the status of your job; ask a manager to change ${other.slice(0, 5).join(', ')}.`,
        };
      }
      return null;
    }
    case 'report':
      if (assigneeOf(lookup('job', change.entityId)) !== actor.userId) {
        return { code: 'forbidden', reason: 'You can write the report only of a job assigned to you.' };
      }
      return null;
    case 'punch': {
      const existing = lookup('punch', change.entityId);
      const claimed = change.fields.userId;
      if ((claimed !== undefined && claimed !== actor.userId) || (existing && ownerOfPunch(existing) !== actor.userId)) {
        return { code: 'forbidden', reason: 'You can record only your own punches.' };
      }
      return null;
    }
    default:
      return { code: 'forbidden', reason: 'This change is not allowed.' };
  }
}

/**
 * May `actor` make `change`? Managers and admins may do anything inside their
 * organisation; entities of other organisations are never loaded, so they look
 * missing (PL2, SV4). Returns null when allowed.
 */
export function authorize(actor: Actor, change: Change, lookup: Lookup, members: ReadonlySet<string>): Denial | null {
  if (actor.role === 'worker') {
    const denied = checkWorker(actor, change, lookup);
    if (denied) return denied;
  }
  return checkReferences(actor, change, lookup, members);
}
