#!/usr/bin/env node
/**
 * Makes sure a Chromium the e2e tests can drive is on this machine — never by downloading a browser
 * build (Playwright's downloads are unreachable here): CHROME_PATH, else /usr/bin/chromium, else (root on
 * Debian) `apt-get install -y chromium`. Prints the path on success; otherwise says what to do and exits 1.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';
const HOW_TO =
  'install Chromium (Debian: sudo apt-get install -y chromium) or set CHROME_PATH to a Chromium/Chrome binary';

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function found() {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv && executable(fromEnv)) return fromEnv;
  if (fromEnv) console.error(`ensure-chromium: CHROME_PATH=${fromEnv} does not exist or is not executable.`);
  if (executable(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  return null;
}

function run(command, args) {
  console.error(`ensure-chromium: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.error) console.error(`ensure-chromium: ${command} failed to start: ${result.error.message}`);
  return result.status === 0;
}

let path = found();
if (path === null) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/etc/debian_version')) {
    console.error('ensure-chromium: no Chromium found; installing the Debian package (takes a couple of minutes).');
    if (run('apt-get', ['update']) && run('apt-get', ['install', '-y', 'chromium'])) path = found();
    if (path === null) {
      console.error(`ensure-chromium: Chromium is still missing after apt-get. Please ${HOW_TO}.`);
      process.exit(1);
    }
  } else {
    console.error(`ensure-chromium: no Chromium found. Please ${HOW_TO}.`);
    process.exit(1);
  }
}

console.log(path);
