/**
 * Outpost's service worker. Thin by design (STYLE.md 4): it only wires events to the modules beside it.
 *
 * - precache.ts        — app shell precache, outdated-cache cleanup, offline navigation to index.html
 * - background-sync.ts — the `sync` event wake-up for the outbox drain (SY3)
 * - drain.ts, engine.ts — the drain itself: the shared sync engine under the Web Lock (SY1, SY7)
 * - messages.ts        — messages from and to pages (SKIP_WAITING, OUTBOX_SYNC, UPDATE_REQUIRED)
 * - probe.ts           — PROBE: can the worker itself reach the server right now (diagnostics, DG2)
 */
import { clientsClaim } from 'workbox-core';
import type { PrecacheEntry } from 'workbox-precaching';
import { setUpOutboxWake } from './background-sync.ts';
import { createServiceWorkerDrain } from './drain.ts';
import { serviceWorkerDrainDeps } from './engine.ts';
import { isSkipWaitingMessage } from './messages.ts';
import { setUpPrecache } from './precache.ts';
import { answerProbe } from './probe.ts';

declare const self: ServiceWorkerGlobalScope & {
  /** Replaced at build time by vite-plugin-pwa (injectManifest) with the list of files to precache. */
  __WB_MANIFEST: Array<PrecacheEntry | string>;
};

setUpPrecache(self.__WB_MANIFEST);
setUpOutboxWake(self, createServiceWorkerDrain(serviceWorkerDrainDeps(self)));

// Updates are applied only when the person says so: the page posts {type: 'SKIP_WAITING'} (workbox-window's
// messageSkipWaiting). Never call skipWaiting() on install — a waiting worker must not take over a page that
// may have unsent writes (contract 9).
self.addEventListener('message', (event) => {
  if (isSkipWaitingMessage(event.data)) void self.skipWaiting();
  else answerProbe(self, event);
});

// Take control of the page that installed us, so the very first visit is already controlled and the app
// opens offline afterwards. A later version only activates when no page runs the old one, or after
// SKIP_WAITING (the person agreed, and the page reloads on `controlling`), so claiming is safe then too.
clientsClaim();
