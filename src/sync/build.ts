/**
 * Which build of Outpost this code is (DG2): the time `vite build` ran, injected by vite.config.ts
 * (`define: { __OUTPOST_BUILD__ }`) into the page and the service worker alike, so the diagnostics page can
 * show both and tell when the worker serves another build than the page runs. 'development' elsewhere
 * (vite dev, Node tests).
 */
declare const __OUTPOST_BUILD__: string | undefined;

export const BUILD_ID: string = typeof __OUTPOST_BUILD__ === 'string' ? __OUTPOST_BUILD__ : 'development';
