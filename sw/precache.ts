import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

/** Requests the service worker never answers from the cache: the sync server's API. */
export const API_PATH = /^\/api\//;

/** The precached document every in-app navigation opens (the app routes on the client). */
export const APP_SHELL_URL = '/index.html';

/**
 * Precache the app shell built by Vite, drop caches of older Workbox precache versions, and answer every
 * navigation (except /api/) with the precached index.html, so the app opens offline after the first visit.
 */
export function setUpPrecache(manifest: Array<PrecacheEntry | string>): void {
  precacheAndRoute(manifest);
  cleanupOutdatedCaches();
  registerRoute(new NavigationRoute(createHandlerBoundToURL(APP_SHELL_URL), { denylist: [API_PATH] }));
}
