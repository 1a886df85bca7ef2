/** Chromium for the benchmark: the system one (CHROME_PATH or /usr/bin/chromium), never a download. */
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { BenchApi } from '../page/main.ts';

export const CHROMIUM_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** A fresh context (fresh storage: a new device) on the bench page, with `window.bench` ready. */
export async function benchPage(browser: Browser, url: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: url, serviceWorkers: 'allow' });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`    [page error] ${error.message}`));
  await page.goto('/');
  await page.waitForFunction(() => 'bench' in window);
  return { context, page };
}

type Args<F> = F extends (...a: infer A) => unknown ? A : never;
type Ret<F> = F extends (...a: never[]) => infer R ? Awaited<R> : never;

/** Call `window.bench[name](...args)` in the page. */
export function call<K extends keyof BenchApi>(page: Page, name: K, ...args: Args<BenchApi[K]>): Promise<Ret<BenchApi[K]>> {
  return page.evaluate(
    ([n, a]) => {
      const api = (window as unknown as { bench: Record<string, (...x: unknown[]) => unknown> }).bench;
      const fn = api[n as string];
      if (!fn) throw new Error(`no bench.${String(n)}`);
      return fn(...(a as unknown[]));
    },
    [name, args] as const,
  ) as Promise<Ret<BenchApi[K]>>;
}

export const DEMO = {
  wes: { email: 'wes@demo.outpost', password: 'demo-worker' },
  ana: { email: 'ana@demo.outpost', password: 'demo-worker' },
  maria: { email: 'maria@demo.outpost', password: 'demo-manager' },
} as const;

/**
 * Run `fn` under the CDP sampling profiler of `page`'s main thread when `dir` is set (npm run bench --
 * --profile) and write `<dir>/<name>.cpuprofile` (open in DevTools → Performance, or bench/tools/cpuprofile-top.ts).
 */
export async function profiled<T>(page: Page, dir: string | null, name: string, fn: () => Promise<T>): Promise<T> {
  if (!dir) return fn();
  const { mkdir, writeFile } = await import('node:fs/promises');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await cdp.send('Profiler.stop');
    await mkdir(dir, { recursive: true });
    await writeFile(`${dir}/${name}.cpuprofile`, JSON.stringify(profile));
    await cdp.detach();
  }
}
