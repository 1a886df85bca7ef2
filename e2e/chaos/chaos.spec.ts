/**
 * The chaos run (contract 1–3, OB1–OB5, PU3, PU4, PL3, RC2, SY1, SY4): three devices in real Chromium — Wes's
 * phone and Wes's laptop (installed apps, persistent profiles) and Maria's manager tab — make at least 1,000
 * changes through the app's screens (punches, checklist items, measurements, report notes typed key by key)
 * against the real server and the real service worker, while a seeded schedule takes devices offline and
 * back, kills their service workers, SIGKILLs the server and restarts it on the same port and data, drops
 * push answers after the server applied them, and reloads or closes app pages. Some faults strike right
 * after a write committed, while its push is on the way.
 *
 * At the end, everyone online: every device says synced and has nothing pending or sending; the server
 * holds exactly the changes the devices made, each once (one receipt, one change-log row, nothing extra);
 * and every device's visible records equal the server's state for its person.
 *
 * Seeded (STYLE 8): `CHAOS_SEED=<n> npm run test:faults` replays the schedule; the seed is printed and is in
 * every failure message. `CHAOS_CHANGES` sets the number of changes (default 1,000).
 */
import { expect, test } from '@playwright/test';
import { DEMO } from '../fixtures/demo.ts';
import { ChaosDevice, within, type DeviceActions, type Person } from '../fixtures/chaos-device.ts';
import { backupDatabase, checkLedger, diffRecords, entityHistory, serverView } from '../fixtures/chaos-ledger.ts';
import { Rng, chaosSeed } from '../fixtures/chaos-random.ts';
import { ChaosServer } from '../fixtures/chaos-server.ts';
import type { JobPage } from '../pages/job-page.ts';

const TARGET_CHANGES = Number(process.env.CHAOS_CHANGES ?? 1_000);
/** The chaos phase fails if it has not made the changes within this long (the run's budget is ~8 min). */
const CHAOS_BUDGET_MS = Number(process.env.CHAOS_BUDGET_MS ?? 360_000);

const WES: Person = { ...DEMO.wes, name: /Wes/ };
const MARIA: Person = { ...DEMO.maria, name: /Maria/ };

/** No burst, fault or final step may take longer (each browser call inside is bounded too). */
const STEP_TIMEOUT_MS = 60_000;

const UNITS = ['bar', 'mm', '°C', 'V', 'kPa'] as const;

type Fault = 'offline' | 'serviceWorker' | 'lostAnswers' | 'server' | 'reload' | 'closePage';

interface FaultCounts {
  offlineToggles: number;
  serviceWorkerKills: number;
  serverKills: number;
  lostAnswerFaults: number;
  reloads: number;
  pagesClosed: number;
  /** Faults that struck right after a write committed (its push likely in flight). */
  midBurst: number;
  bursts: number;
}

test('chaos: 1,000+ changes on three devices through offline, killed service workers, a crashing server, lost answers and reloads; the server holds each exactly once and every device converges', async ({
  browser,
}, testInfo) => {
  const seed = chaosSeed();
  const rng = new Rng(seed);
  console.log(`chaos seed ${seed} — replay with: CHAOS_SEED=${seed} npm run test:faults`);
  testInfo.annotations.push({ type: 'chaos seed', description: String(seed) });

  const server = await ChaosServer.start();
  const devices: ChaosDevice[] = [];
  const faults: FaultCounts = { offlineToggles: 0, serviceWorkerKills: 0, serverKills: 0, lostAnswerFaults: 0, reloads: 0, pagesClosed: 0, midBurst: 0, bursts: 0 };
  const started = Date.now();
  let serverDownFor = 0; // bursts until the killed server is started again
  /** The last events of the schedule, for a failure message. */
  const trail: string[] = [];
  const note = (event: string): void => {
    trail.push(`${((Date.now() - started) / 1000).toFixed(1)}s ${event}`);
    if (trail.length > 40) trail.shift();
  };

  /** Strike `victim` (or the server) with one fault. */
  async function strike(fault: Fault, victim: ChaosDevice): Promise<void> {
    note(`${fault} → ${fault === 'server' ? 'server' : victim.name}${fault === 'offline' ? (victim.online ? ' offline' : ' online') : ''}`);
    switch (fault) {
      case 'offline':
        await victim.setOffline(victim.online);
        faults.offlineToggles++;
        return;
      case 'serviceWorker':
        await victim.killServiceWorker();
        faults.serviceWorkerKills++;
        return;
      case 'lostAnswers':
        await victim.loseNextPushAnswers(rng.int(1, 2));
        faults.lostAnswerFaults++;
        return;
      case 'server':
        if (!server.up) return;
        await server.kill();
        serverDownFor = rng.int(1, 3);
        faults.serverKills++;
        return;
      case 'reload':
        if (victim.pageOpen) await victim.reload();
        else await victim.reopen();
        faults.reloads++;
        return;
      case 'closePage':
        if (!victim.pageOpen) return;
        await victim.closePage();
        faults.pagesClosed++;
        return;
    }
  }

  try {
    devices.push(await ChaosDevice.installed('wes-phone', WES, testInfo.outputPath('wes-phone'), server.url));
    devices.push(await ChaosDevice.installed('wes-laptop', WES, testInfo.outputPath('wes-laptop'), server.url));
    devices.push(await ChaosDevice.tab('maria-tab', MARIA, browser, server.url));
    for (const device of devices) await device.signIn();
    const made = (): number => devices.reduce((sum, d) => sum + d.madeSet.size, 0);

    // ---------------------------------------------------------------- the chaos phase
    const deadline = Date.now() + CHAOS_BUDGET_MS;
    while (made() < TARGET_CHANGES) {
      if (Date.now() > deadline) {
        throw new Error(`only ${made()} of ${TARGET_CHANGES} changes made within ${CHAOS_BUDGET_MS / 1000} s (the chaos phase's budget)`);
      }
      // Every draw is made whatever happens next, so a seed always gives the same stream of draws.
      const device = rng.pick(devices);
      const strikes = rng.chance(0.6);
      const fault = rng.weighted<Fault>({ offline: 36, serviceWorker: 18, lostAnswers: 10, server: server.up ? 9 : 0, reload: 14, closePage: 7 });
      const victim = rng.pick(devices);
      // Offline, a killed worker or server, a lost answer: sometimes right after a write of this burst.
      const midBurst = strikes && (fault === 'offline' || fault === 'serviceWorker' || fault === 'server') && rng.chance(0.4);

      const n = faults.bursts + 1;
      note(`burst ${n} on ${device.name}${midBurst ? ` (${fault} mid-burst)` : ''}`);
      await within(STEP_TIMEOUT_MS, () => `burst ${n} on ${device.name}, ${device.step}`, async () => {
        if (!device.pageOpen) await device.reopen();
        await burst(device, rng, midBurst ? () => strike(fault, device) : null);
      });
      faults.bursts++;
      if (midBurst) faults.midBurst++;
      if (!server.up && --serverDownFor <= 0) {
        note('server restart');
        await server.restart();
      }
      if (strikes && !midBurst) await within(STEP_TIMEOUT_MS, () => `${fault} fault on ${victim.name} after burst ${n}, ${victim.step}`, () => strike(fault, victim));
    }
    const chaosMs = Date.now() - started;

    // ---------------------------------------------------------------- everyone online, everything sent
    if (!server.up) await server.restart();
    for (const device of devices) {
      await within(STEP_TIMEOUT_MS, () => `bringing ${device.name} back online, ${device.step}`, async () => {
        await device.clearFaultRoutes();
        if (!device.online) await device.setOffline(false);
        if (!device.pageOpen) await device.reopen();
      });
    }
    const nudged: string[] = [];
    for (const device of devices) {
      await within(150_000, () => `${device.name}: ${device.step}`, async () => {
        try {
          await device.waitSynced(60_000);
        } catch {
          // SY4 allows a scheduled retry minutes away; a person would tap "Sync now". Reported below.
          nudged.push(`${device.name} (${(await device.shell.sync.bar.innerText()).replace(/\s+/g, ' ')})`);
          await device.shell.sync.syncNow.click();
          try {
            await device.waitSynced(60_000);
          } catch (error) {
            // Not even "Sync now" got it there: say which device, and what it was doing.
            throw new Error(`${device.name} did not reach "Synced" after "Sync now"\n${await device.stuckReport()}\n${String(error)}`);
          }
        }
        await device.crossCheckOutbox();
      });
    }

    // ---------------------------------------------------------------- the server holds each change once
    const madeBy = new Map<string, string>();
    for (const device of devices) for (const id of device.made) madeBy.set(id, device.name);
    const deviceIds = new Map(devices.map((d) => [d.deviceId, d.name]));
    const ledger = checkLedger(server.dataDir, { made: madeBy, deviceIds, userIds: new Set(devices.map((d) => d.userId)) });

    // ---------------------------------------------------------------- every device shows the server's state
    const convergence: string[] = [];
    for (const device of devices) {
      let last = { keys: [] as string[], sample: [] as string[] };
      try {
        await expect
          .poll(
            async () => {
              const [mine, theirs] = await within(STEP_TIMEOUT_MS, () => `reading ${device.name}'s records and the server's`, () =>
                Promise.all([device.visibleRecords(), serverView(server.url, device.person.email, device.person.password)]),
              );
              last = diffRecords(mine, theirs);
              return last.keys.length;
            },
            { timeout: 30_000, intervals: [250, 500, 1_000] },
          )
          .toBe(0);
      } catch {
        const evidence: string[] = [];
        for (const key of last.keys.slice(0, 3)) {
          const [entity = '', entityId = ''] = key.split(':');
          evidence.push(await device.evidence(entity, entityId), ...entityHistory(server.dataDir, entity, entityId, deviceIds));
          for (const other of devices) if (other !== device) evidence.push(`  also made by ${other.name}? see its outbox: ${await other.evidence(entity, entityId)}`);
        }
        convergence.push(`${device.name}: ${last.keys.length} records differ from the server\n  ${last.sample.join('\n  ')}\n  evidence:\n  ${evidence.join('\n  ')}`);
      }
    }

    // ---------------------------------------------------------------- the report
    const totals = sumActions(devices.map((d) => d.actions));
    const uiActions = totals.punches + totals.checklistToggles + totals.checklistAdds + totals.checklistRemovals + totals.measurements + totals.noteEdits;
    const summary = [
      `chaos seed ${seed}: ${made()} changes (distinct change ids) made in ${Math.round(chaosMs / 1000)} s; ${Math.round((Date.now() - started) / 1000)} s in all`,
      ...devices.map(
        (d) =>
          `  ${d.name.padEnd(11)} ${String(d.madeSet.size).padStart(5)} changes from ${d.actions.commits} committed writes: ` +
          `${d.actions.punches} punches, ${d.actions.checklistToggles} checklist toggles, ${d.actions.checklistAdds} items added, ` +
          `${d.actions.checklistRemovals} removed, ${d.actions.measurements} measurements, ${d.actions.keystrokes} keystrokes in ${d.actions.noteEdits} note edits`,
      ),
      `  ${uiActions} UI actions (a note edit counted once), ${uiActions - totals.noteEdits + totals.keystrokes} inputs (each keystroke counted), ` +
        `${totals.commits} committed writes (folded edits included, OB5)`,
      `  faults over ${faults.bursts} bursts: ${faults.offlineToggles} offline toggles, ${faults.serviceWorkerKills} service worker kills, ` +
        `${faults.serverKills} server kills (SIGKILL; ${server.starts} server starts), ${faults.lostAnswerFaults} lost-answer faults ` +
        `(${devices.reduce((sum, d) => sum + d.answersLost, 0)} answers lost), ${faults.reloads} reloads, ${faults.pagesClosed} pages closed; ` +
        `${faults.midBurst} struck right after a write`,
      `  server logs: ${server.pushLog.pushes} pushes, ${server.pushLog.applied} applied, ${server.pushLog.duplicate} duplicates answered, ` +
        `${server.pushLog.refused} refused, ${server.pushLog.conflict} conflicts (a SIGKILL may cut a log line)`,
      `  server rows: ${ledger.receipts} receipts in all; of the made changes ${ledger.logged} logged exactly once, ${ledger.refused} refused, ${ledger.conflicts} conflicts`,
      `  devices that needed "Sync now" at the end: ${nudged.length === 0 ? 'none' : nudged.join('; ')}`,
      `  outbox rows the recorder had missed: ${devices.reduce((sum, d) => sum + d.recorderMisses, 0)}; ` +
        `stopped service workers started so an offline toggle could reach them: ${devices.reduce((sum, d) => sum + d.workerStarts, 0)}`,
    ].join('\n');
    console.log(summary);
    testInfo.annotations.push({ type: 'chaos summary', description: summary });

    expect(ledger.problems, `server ledger (CHAOS_SEED=${seed})\n${ledger.problems.slice(0, 20).join('\n')}`).toEqual([]);
    expect(convergence, `convergence (CHAOS_SEED=${seed})\n${convergence.join('\n')}`).toEqual([]);
    expect(made()).toBeGreaterThanOrEqual(TARGET_CHANGES);
  } catch (error) {
    // Keep the server's database for a look (a consistent copy, WAL included), and put the seed in the message.
    await backupDatabase(server.dataDir, testInfo.outputPath('outpost.sqlite')).catch(() => undefined);
    if (error instanceof Error && !error.message.includes('CHAOS_SEED=')) {
      error.message =
        `CHAOS_SEED=${seed}: ${error.message}\n--- the schedule's last events ---\n${trail.join('\n')}` +
        `\n--- server output (tail) ---\n${server.output().slice(-4_000)}`;
    }
    throw error;
  } finally {
    for (const device of devices) await device.close().catch(() => undefined);
    await server.stop();
  }
});

/**
 * A few actions on one screen of one device: a run of punches, or edits to one job's report. `midBurst`
 * strikes right after one of the writes has committed (while its push is likely on the way).
 */
async function burst(device: ChaosDevice, rng: Rng, midBurst: (() => Promise<void>) | null): Promise<void> {
  const punches = rng.chance(0.5);
  const count = punches ? rng.int(4, 12) : rng.int(3, 9);
  const strikeAfter = rng.int(0, count - 1);
  const title = rng.pick(device.jobTitles);
  const job = punches ? null : await device.gotoJob(title);
  for (let i = 0; i < count; i++) {
    const clockOut = rng.chance(0.08);
    if (job === null) await device.punch(clockOut);
    else await jobAction(device, job, rng);
    if (i === strikeAfter && midBurst !== null) await midBurst();
  }
}

async function jobAction(device: ChaosDevice, job: JobPage, rng: Rng): Promise<void> {
  const roll = rng.next();
  const at = rng.next();
  const word = rng.word();
  const value = `${rng.int(0, 999)}.${rng.int(0, 9)}`;
  const unit = rng.pick(UNITS);
  const replace = rng.chance(0.15);

  // Only the choice among the draws depends on what the device shows (pulled items come and go).
  const items = await device.checklistCount(job);
  const kind = items < 3 ? 'add' : Rng.choose(roll, { toggle: 55, add: items < 8 ? 12 : 0, remove: items > 6 ? 6 : 0, measure: 10, notes: 17 });
  switch (kind) {
    case 'toggle':
      // The oldest items: removals take only newer ones, so these stay put.
      return device.toggleChecklist(job, Math.floor(at * Math.min(3, items)));
    case 'add':
      return device.addChecklist(job, `${device.name} ${word}`);
    case 'remove':
      return device.removeChecklist(job, 3 + Math.floor(at * (items - 3)));
    case 'measure':
      return device.addMeasurement(job, `${word} ${device.name}`, value, unit);
    case 'notes':
      return device.typeNotes(job, ` ${word}`, replace);
  }
}

function sumActions(all: readonly DeviceActions[]): DeviceActions {
  const total: DeviceActions = { punches: 0, checklistToggles: 0, checklistAdds: 0, checklistRemovals: 0, measurements: 0, noteEdits: 0, keystrokes: 0, commits: 0 };
  for (const actions of all) for (const key of Object.keys(total) as (keyof DeviceActions)[]) total[key] += actions[key];
  return total;
}
