/**
 * "Export unsent changes" on one device, "import" on another (or after a
 * reinstall), against the real server: each change is applied exactly once,
 * however many devices send it and however often the file is imported
 * (OB8, PU3; issue: diagnostics and repair).
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toRecord } from '../protocol/index.ts';
import { countByState, listRows } from '../src/data/outbox.ts';
import { exportUnsent, importUnsent } from '../src/data/transfer.ts';
import { recordPunch, saveReportNotes, setChecklistItem } from '../src/data/write.ts';
import { DEMO_SIGN_INS } from '../server/demo.ts';
import { addDevice, closeWorld, createWorld, removeWorlds, seedTemplate, type World } from './support/world.ts';

const WES = DEMO_SIGN_INS[1]?.email ?? '';

let template = '';
beforeAll(async () => {
  template = await seedTemplate();
});
afterAll(removeWorlds);

function logged(world: World, ids: readonly string[]): Map<string, number> {
  const sql = new Database(world.file, { readonly: true });
  try {
    const counts = new Map<string, number>();
    for (const id of ids) {
      const row = sql.prepare('SELECT COUNT(*) AS n FROM change_log WHERE change_id = ?').get(id) as { n: number };
      counts.set(id, row.n);
    }
    return counts;
  } finally {
    sql.close();
  }
}

describe('export and import of unsent changes against the real server (OB8)', () => {
  it('OB8, PU3: changes carried to a new device and imported twice reach the server exactly once', async () => {
    const world = await createWorld(template, [], [WES]);
    try {
      const phone = world.devices[0];
      if (!phone) throw new Error('no phone');
      const jobId = (await phone.db.jobs.toArray())[0]?.id;
      if (!jobId) throw new Error('Wes has no jobs');

      // The phone saves three changes; the server takes two of them but the answer never arrives.
      await saveReportNotes(phone.ctx, jobId, 'Pump seal replaced');
      await recordPunch(phone.ctx, { kind: 'clock_in', location: null });
      phone.link.fault = 'lose-answer';
      expect((await phone.engine.syncNow('manual')).outcome).toBe('offline');
      phone.link.online = false;
      await setChecklistItem(phone.ctx, jobId, 'valve', { label: 'Valve closed', done: true });
      expect((await countByState(phone.db)).pending).toBe(3);

      const file = JSON.stringify(await exportUnsent(phone.db, world.clock.t));
      const ids = (await listRows(phone.db)).map((r) => r.changeId as string);
      expect([...logged(world, ids).values()]).toEqual([1, 1, 0]);

      // A new phone for the same person: it imports the file twice and syncs.
      const spare = await addDevice(world, WES);
      world.devices.push(spare);
      expect((await spare.engine.syncNow('start')).outcome).toBe('synced');
      expect(await importUnsent(spare.db, file, world.clock.t)).toEqual({ added: 3, skipped: 0 });
      expect(await importUnsent(spare.db, file, world.clock.t)).toEqual({ added: 0, skipped: 3 });
      expect((await spare.engine.syncNow('manual')).outcome).toBe('synced');
      expect((await countByState(spare.db)).pending).toBe(0);
      // After everything settled and was pruned, a third import still applies nothing twice.
      await importUnsent(spare.db, file, world.clock.t);
      expect((await spare.engine.syncNow('manual')).outcome).toBe('synced');

      // The old phone comes back and sends its own copies: answered as duplicates.
      phone.link.online = true;
      expect((await phone.engine.syncNow('manual')).outcome).toBe('synced');
      expect((await listRows(phone.db)).filter((r) => r.state !== 'acked')).toEqual([]);

      expect([...logged(world, ids).values()]).toEqual([1, 1, 1]);
      const me = await world.storage.findUserByEmail(WES);
      if (!me) throw new Error('no Wes');
      const page = await world.storage.pull({ userId: me.id, orgId: me.orgId, role: me.role }, 0, 10_000);
      const report = page.records.find((r) => r.entity === 'report' && r.entityId === jobId);
      expect(report && toRecord('report', jobId, report.version, report.deleted, report.fields)).toMatchObject({
        notes: 'Pump seal replaced',
        checklist: { valve: { label: 'Valve closed', done: true } },
      });
      for (const device of [phone, spare]) {
        expect((await device.db.reports.get(jobId))?.notes).toBe('Pump seal replaced');
        expect(await device.db.punches.count()).toBe(1);
      }
    } finally {
      await closeWorld(world);
    }
  });
});
