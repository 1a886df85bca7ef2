import { describe, expect, it } from 'vitest';
import { getMeta, recordPunch, setMeta } from '../data/index.ts';
import { JOB_FIELDS, freshDb, serverState, testContext } from '../data/testing.ts';
import { claimDevice } from './device-user.ts';

describe('whose data the device holds', () => {
  it('the first person claims the device; the same person again changes nothing', async () => {
    const { db } = freshDb();
    expect(await claimDevice(db, 'wes')).toEqual({ kind: 'ok', switched: false });
    expect(await getMeta(db, 'userId')).toBe('wes');
    await setMeta(db, 'cursor', '42');
    expect(await claimDevice(db, 'wes')).toEqual({ kind: 'ok', switched: false });
    expect(await getMeta(db, 'cursor')).toBe('42');
  });

  it('OB9: another person with nothing unsent: the previous records are cleared and the cursor restarts', async () => {
    const { db } = freshDb();
    await claimDevice(db, 'wes');
    await setMeta(db, 'cursor', '42');
    await setMeta(db, 'deviceId', 'phone-1');
    await db.base.put(serverState('job', 'job-1', 2, JOB_FIELDS));
    await db.jobs.put({ id: 'job-1', version: 2, deleted: false, ...JOB_FIELDS });
    expect(await claimDevice(db, 'ana')).toEqual({ kind: 'ok', switched: true });
    expect(await getMeta(db, 'cursor')).toBeUndefined();
    expect(await getMeta(db, 'userId')).toBe('ana');
    expect(await getMeta(db, 'deviceId')).toBe('phone-1');
    expect([await db.jobs.count(), await db.base.count()]).toEqual([0, 0]);
  });

  it('another person while changes wait: the device is held and nothing is touched', async () => {
    const { db } = freshDb();
    await claimDevice(db, 'wes');
    await setMeta(db, 'cursor', '42');
    await recordPunch(testContext(db, { userId: 'wes' }), { kind: 'clock_in', location: null });
    expect(await claimDevice(db, 'ana')).toEqual({ kind: 'held', unsent: 1 });
    expect(await getMeta(db, 'userId')).toBe('wes');
    expect(await getMeta(db, 'cursor')).toBe('42');
    expect(await db.outbox.count()).toBe(1);
  });
});
