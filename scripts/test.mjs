#!/usr/bin/env node
// The whole test suite: types and lint (`npm run check`), unit and integration tests (vitest, Node), then end-to-end specs
// (Playwright, real Chromium, real server), then the chaos run (e2e/chaos: minutes of seeded faults
// on three devices; `npm run test:faults` alone). Ends with one line "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

mkdirSync('.tmp', { recursive: true });
let passed = 0;
let failed = 0;
let ok = true;

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
}

// 0. types and lint (every tsconfig, svelte-check, eslint): one check, counted as one test
if (run('npm', ['run', '--silent', 'check'])) passed += 1;
else {
  failed += 1;
  ok = false;
}

// 1. vitest
const vitestJson = '.tmp/vitest.json';
ok = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]) && ok;
if (existsSync(vitestJson)) {
  const r = JSON.parse(readFileSync(vitestJson, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += (r.numFailedTests ?? 0) + (r.numFailedTestSuites ?? 0);
} else {
  failed += 1;
}

/** Add a Playwright JSON report's counts; a run that wrote none counts as one failure. */
function countPlaywright(json) {
  if (existsSync(json)) {
    const s = JSON.parse(readFileSync(json, 'utf8')).stats ?? {};
    passed += s.expected ?? 0;
    failed += (s.unexpected ?? 0) + (s.flaky ?? 0);
  } else {
    failed += 1;
  }
}

// 2. end-to-end, when there are specs (builds the app first)
const specs = existsSync('e2e') ? readdirSync('e2e').filter((f) => f.endsWith('.spec.ts')) : [];
if (specs.length > 0) {
  const e2eJson = resolve('.tmp/playwright.json');
  rmSync(e2eJson, { force: true });
  ok = run('npm', ['run', '--silent', 'test:e2e', '--', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: e2eJson }) && ok;
  countPlaywright(e2eJson);
}

// 3. the chaos run (its own Playwright config; the e2e stage has built the app and found Chromium)
const chaosConfig = 'e2e/chaos/playwright.config.ts';
if (existsSync(chaosConfig)) {
  // Absolute: Playwright resolves a relative report path against the config's own folder.
  const chaosJson = resolve('.tmp/chaos.json');
  rmSync(chaosJson, { force: true });
  const [cmd, args] =
    specs.length > 0
      ? ['npx', ['playwright', 'test', '-c', chaosConfig, '--reporter=list,json']]
      : ['npm', ['run', '--silent', 'test:faults', '--', '--reporter=list,json']];
  ok = run(cmd, args, { PLAYWRIGHT_JSON_OUTPUT_NAME: chaosJson }) && ok;
  countPlaywright(chaosJson);
}

if (!ok && failed === 0) failed = 1;
console.log(`\nTests: ${passed} passed, ${failed} failed`);
process.exit(ok && failed === 0 ? 0 : 1);
