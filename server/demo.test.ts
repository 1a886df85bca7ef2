import { describe, expect, it } from 'vitest';
import { verifyPassword } from './auth/password.ts';
import { DEMO_SIGN_INS, seedDemo } from './demo.ts';
import { openSqliteStorage } from './storage/sqlite.ts';

describe('demo seed', () => {
  it('creates the demo organisation once, with jobs for today and tomorrow split across the workers', async () => {
    const storage = await openSqliteStorage(':memory:');
    try {
      const now = new Date(2030, 4, 17, 9, 30).getTime();
      const seeded = await seedDemo(storage, now);
      expect(seeded?.signIns.map((s) => s.email)).toEqual(['maria@demo.outpost', 'wes@demo.outpost', 'ana@demo.outpost']);
      expect(await seedDemo(storage, now)).toBeNull();
      expect(await storage.countUsers()).toBe(3);

      const maria = await storage.findUserByEmail('maria@demo.outpost');
      const wes = await storage.findUserByEmail('wes@demo.outpost');
      if (!maria || !wes) throw new Error('demo users missing');
      expect(await verifyPassword(DEMO_SIGN_INS[0]?.password ?? '', maria.passwordHash)).toBe(true);
      expect(maria.role).toBe('manager');

      const all = await storage.pull({ userId: maria.id, orgId: maria.orgId, role: 'manager' }, 0, 100);
      expect(all.records).toHaveLength(6);
      expect(new Set(all.records.map((r) => r.fields.scheduledFor))).toEqual(new Set(['2030-05-17', '2030-05-18']));
      expect(all.records.every((r) => r.version === 1 && Object.keys(r.clocks).length > 0)).toBe(true);
      const mine = await storage.pull({ userId: wes.id, orgId: wes.orgId, role: 'worker' }, 0, 100);
      expect(mine.records).toHaveLength(3);
    } finally {
      await storage.close();
    }
  });
});
