import { describe, expect, it } from 'vitest';
import type { SyncStatus } from '../sync/index.ts';
import { relativePast, summarizeSync } from './sync-summary.ts';

const NOW = 1_700_000_000_000;
const status = (patch: Partial<Omit<SyncStatus, 'counts'>> & { counts?: Partial<SyncStatus['counts']> } = {}): SyncStatus => ({
  phase: 'idle',
  lastSyncAt: NOW - 1000,
  lastError: null,
  nextRetryAt: null,
  ...patch,
  counts: { pending: 0, sending: 0, acked: 0, refused: 0, conflict: 0, ...patch.counts },
});

describe('sync summary (SY5: from status events and outbox counts only)', () => {
  it('"Synced" only when nothing waits and a sync succeeded', () => {
    expect(summarizeSync(status(), true, NOW)).toMatchObject({ headline: 'Synced', waiting: 0, tone: 'ok', problem: null });
    expect(summarizeSync(status({ lastSyncAt: null }), true, NOW).headline).toBe('Not synced yet');
    expect(summarizeSync(status({ lastSyncAt: null, phase: 'pulling' }), true, NOW).headline).toBe('Syncing…');
  });

  it('"Saved on this device" with the number waiting (pending + sending); acked rows do not wait', () => {
    const s = summarizeSync(status({ counts: { pending: 2, sending: 1, acked: 5 } }), false, NOW);
    expect(s).toMatchObject({ headline: 'Saved on this device', waiting: 3, tone: 'offline' });
  });

  it('refused and conflict rows, sign-out, update and backoff need attention', () => {
    expect(summarizeSync(status({ counts: { refused: 1, conflict: 1 } }), true, NOW)).toMatchObject({ attention: 2, tone: 'attention' });
    expect(summarizeSync(status({ phase: 'signed-out' }), true, NOW).problem).toMatch(/Sign in again/);
    expect(summarizeSync(status({ phase: 'update-required' }), true, NOW).problem).toMatch(/Update Outpost/);
    const backoff = summarizeSync(status({ phase: 'backoff', lastError: 'The server answered 503', nextRetryAt: NOW + 30_000 }), true, NOW);
    expect(backoff.problem).toBe('Sync failed: The server answered 503. Retrying in 30 s.');
  });

  it('says when the last sync was', () => {
    expect(relativePast(NOW - 10_000, NOW)).toBe('just now');
    expect(relativePast(NOW - 120_000, NOW)).toBe('2 min ago');
    expect(relativePast(NOW - 3 * 3600_000, NOW)).toBe('3 h ago');
  });
});
