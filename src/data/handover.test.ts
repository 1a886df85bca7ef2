import { describe, expect, it } from 'vitest';
import { getMeta, setMeta } from './meta.ts';
import { handOver } from './handover.ts';
import { JOB_FIELDS, freshDb, serverState, testContext } from './testing.ts';
import { recordPunch } from './write.ts';

describe('another person signs in on the device (OB9)', () => {
  it('OB9: a refused change of the previous person holds the device too; nothing is cleared', async () => {
    const { db } = freshDb();
    await handOver(db, 'wes');
    await db.base.put(serverState('job', 'job-1', 2, JOB_FIELDS));
    const { changeId } = await recordPunch(testContext(db, { userId: 'wes' }), { kind: 'clock_in', location: null });
    await db.outbox.where('changeId').equals(changeId).modify({ state: 'refused' });
    expect(await handOver(db, 'ana')).toEqual({ kind: 'held', unsent: 1 });
    expect(await getMeta(db, 'userId')).toBe('wes');
    expect(await db.base.count()).toBe(1);
  });

  it('OB9: with everything settled, the next person starts from an empty device that keeps its id', async () => {
    const { db } = freshDb();
    await handOver(db, 'wes');
    await setMeta(db, 'deviceId', 'phone-1');
    await setMeta(db, 'lastSyncAt', 5);
    const { changeId } = await recordPunch(testContext(db, { userId: 'wes', deviceId: 'phone-1' }), { kind: 'clock_in', location: null });
    await db.outbox.where('changeId').equals(changeId).modify({ state: 'acked' });
    expect(await handOver(db, 'ana')).toEqual({ kind: 'ok', switched: true });
    expect([await db.punches.count(), await db.outbox.count(), await getMeta(db, 'lastSyncAt')]).toEqual([0, 0, undefined]);
    expect(await getMeta(db, 'deviceId')).toBe('phone-1');
  });
});
