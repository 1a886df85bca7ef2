/**
 * DG2: a page asks the service worker whether IT can reach the server right now (`{type: 'PROBE'}` with a
 * MessagePort); the worker answers on that port with its own `fetch('/api/health', {cache: 'no-store'})`
 * result and its build. DevTools' and Playwright's offline switches may act on the page and the worker
 * separately (FIELD-NOTES), so only the worker itself can say what it can reach.
 */
import { BUILD_ID } from '../src/sync/build.ts';
import { isProbeRequest, probeServer } from '../src/sync/probe.ts';
import type { ProbeReplyMessage } from '../src/sync/probe.ts';

/** Handle a PROBE message; false when the message is something else. */
export function answerProbe(sw: ServiceWorkerGlobalScope, event: ExtendableMessageEvent): boolean {
  if (!isProbeRequest(event.data)) return false;
  const port = event.ports[0];
  if (port === undefined) return true; // nowhere to answer
  event.waitUntil(
    probeServer({ fetch: sw.fetch.bind(sw) }).then((result) => {
      const reply: ProbeReplyMessage = { type: 'PROBE_RESULT', version: BUILD_ID, result };
      port.postMessage(reply);
    }),
  );
  return true;
}
