import { describe, expect, it } from 'vitest';
import type { OutboxRow, SyncLogRow } from '../data/index.ts';
import type { SyncStatus } from '../sync/index.ts';
import { describeOutboxRow, describeProbe, describeSyncLog, explainSync, exportFileName, importSummaryText } from './diagnostics.ts';
import type { ExplainInput } from './diagnostics.ts';

const NOW = 1_700_000_000_000;
const status = (patch: Partial<Omit<SyncStatus, 'counts'>> & { counts?: Partial<SyncStatus['counts']> } = {}): SyncStatus => ({
  phase: 'idle',
  lastSyncAt: NOW - 1000,
  lastError: null,
  nextRetryAt: null,
  ...patch,
  counts: { pending: 0, sending: 0, acked: 0, refused: 0, conflict: 0, ...patch.counts },
});
const input = (patch: Partial<ExplainInput> = {}): ExplainInput => ({
  status: status(),
  online: true,
  sessionExpired: false,
  updateRequired: false,
  pageProbe: { kind: 'ok', status: 200, ms: 5 },
  workerProbe: { kind: 'ok', status: 200, ms: 6 },
  storage: { usage: 1_000_000, quota: 1_000_000_000 },
  storageFull: false,
  now: NOW,
  ...patch,
});
const ids = (i: ExplainInput): string[] => explainSync(i).map((f) => f.id);

describe('diagnostics: what waits, why, what to do (DG4)', () => {
  it('DG4: all is well, or changes on their way', () => {
    expect(explainSync(input())).toEqual([expect.objectContaining({ id: 'ok', tone: 'ok', title: 'Everything is synced' })]);
    expect(explainSync(input({ status: status({ counts: { pending: 2 } }) }))[0]).toMatchObject({ id: 'sending', title: '2 changes on their way to the server' });
  });

  it('DG4: offline, and a server the page cannot reach', () => {
    const offline = explainSync(input({ online: false, status: status({ counts: { pending: 3 } }) }));
    expect(offline[0]).toMatchObject({ id: 'offline', title: 'This device is offline' });
    expect(offline[0]?.why).toContain('3 changes wait on this device');
    expect(offline[0]?.todo).toContain('sent by itself');
    expect(ids(input({ status: status({ phase: 'offline', lastError: 'The server could not be reached (Failed to fetch).' }) }))).toEqual(['offline']);
    const unreachable = explainSync(input({ pageProbe: { kind: 'http', status: 502, ms: 9 } }));
    expect(unreachable[0]).toMatchObject({ id: 'unreachable' });
    expect(unreachable[0]?.why).toContain('HTTP 502');
  });

  it('DG4: backoff with the next retry', () => {
    const [f] = explainSync(input({ status: status({ phase: 'backoff', lastError: 'Too many requests.', nextRetryAt: NOW + 30_000, counts: { pending: 1 } }) }));
    expect(f).toMatchObject({ id: 'backoff', title: 'The last sync failed' });
    expect(f?.why).toBe('Too many requests. Next try in 30 s. 1 change waits on this device.');
  });

  it('DG4: signed out and update required pause sending and say so', () => {
    expect(ids(input({ status: status({ phase: 'signed-out' }) }))).toEqual(['signed-out']);
    expect(ids(input({ sessionExpired: true }))).toEqual(['signed-out']);
    expect(ids(input({ status: status({ phase: 'update-required' }) }))).toEqual(['update-required']);
    expect(explainSync(input({ updateRequired: true }))[0]?.todo).toContain('Update now');
  });

  it('DG4: refused and conflicting changes point to Needs attention', () => {
    const found = explainSync(input({ status: status({ counts: { refused: 1, conflict: 2 } }) }));
    expect(found.map((f) => [f.id, f.link])).toEqual([
      ['refused', 'attention'],
      ['conflict', 'attention'],
    ]);
    expect(found[0]?.title).toBe('1 change refused by the server');
  });

  it('DG4 / OB6: a full disk (a write failed for lack of space, or the quota nearly used) comes first', () => {
    const full = explainSync(input({ storageFull: true, status: status({ counts: { refused: 1 } }) }));
    expect(full.map((f) => f.id)).toEqual(['storage-full', 'refused']);
    expect(full[0]?.title).toContain('NOT being saved');
    expect(ids(input({ storage: { usage: 95, quota: 100 } }))).toEqual(['storage-full']);
  });

  it('DG2: a service worker that cannot reach the server while the page can is reported', () => {
    expect(ids(input({ workerProbe: { kind: 'network', error: 'Failed to fetch', ms: 2 } }))).toEqual(['worker-unreachable']);
    expect(describeProbe({ kind: 'network', error: 'Failed to fetch', ms: 2 })).toEqual({ ok: false, text: 'Cannot reach the server (Failed to fetch, after 2 ms)' });
    expect(describeProbe({ kind: 'ok', status: 200, ms: 4 }).ok).toBe(true);
    expect(describeProbe({ kind: 'timeout', ms: 8000 }).text).toBe('No answer from the server within 8 s');
  });
});

describe('diagnostics: rows and attempts in words (DG1, DG3)', () => {
  it('DG1: an outbox row says what changed, its state, attempts and error', () => {
    const row: OutboxRow = {
      seq: 4,
      changeId: 'c-1' as OutboxRow['changeId'],
      deviceId: 'd',
      entity: 'job',
      entityId: 'job-1',
      op: 'update',
      fields: { status: 'in_progress' },
      hlc: 'h',
      baseVersion: 1,
      payloadVersion: 1,
      state: 'refused',
      attempts: 1,
      lastError: 'This job is not assigned to you. (forbidden)',
      createdAt: NOW,
      updatedAt: NOW,
      receipt: null,
    };
    expect(describeOutboxRow(row, 'Boiler service', String)).toMatchObject({
      subject: 'Job “Boiler service”',
      what: ['Set the status to “In progress”'],
      stateText: 'Refused',
      attempts: 1,
      needsAttention: true,
    });
    expect(describeOutboxRow({ ...row, state: 'pending', entity: 'report', fields: { notes: 'Hi' } }, null, String)).toMatchObject({
      subject: 'Report of job',
      what: ['Change the notes to “Hi”'],
      stateText: 'Waiting to be sent',
      needsAttention: false,
    });
  });

  it('DG3: a sync attempt says who, why, how it ended and how long it took', () => {
    const row: SyncLogRow = { id: 1, at: NOW, context: 'service-worker', reason: 'sw-sync', outcome: 'synced', durationMs: 42, pushed: 3, pulled: 1, error: null };
    expect(describeSyncLog(row)).toMatchObject({ who: 'Service worker', reason: 'Background sync', outcome: 'Synced', ok: true, detail: '42 ms · 3 changes sent · 1 record received' });
    expect(describeSyncLog({ ...row, context: 'page', reason: 'manual', outcome: 'offline', pushed: 0, pulled: 0, error: 'x' })).toMatchObject({
      who: 'This app',
      reason: 'Sync now',
      outcome: 'Server not reached',
      ok: false,
      detail: '42 ms',
      error: 'x',
    });
  });

  it('OB8: the export file is named with the date; the import summary counts added and skipped', () => {
    expect(exportFileName(new Date(2025, 5, 1, 23, 59).getTime())).toBe('outpost-unsent-changes-2025-06-01.json');
    expect(importSummaryText({ added: 3, skipped: 0 })).toBe('3 added, 0 already here');
  });
});
