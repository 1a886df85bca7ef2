/**
 * The page's sync triggers (SY3) as a TriggerSource: `online`, the page becoming visible, live-channel
 * pokes (LV1: unnamed SSE events, read with `onmessage`) and local writes. The browser objects are passed
 * in (STYLE 3), so this is tested in Node with fakes.
 */
import { LiveMessageSchema } from '../../protocol/index.ts';
import type { LiveMessageToFollow, TriggerEvent, TriggerSource } from '../sync/index.ts';

/** The part of EventSource used here. */
export interface LiveChannel {
  onmessage: ((event: MessageEvent) => void) | null;
  readonly readyState: number;
  close(): void;
}

export interface BrowserTriggerDeps {
  readonly window: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
  readonly document: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> & { readonly visibilityState: string };
  /** Opens the live channel (`new EventSource(LIVE_URL)`); null where there is none. */
  readonly openLive: (() => LiveChannel) | null;
}

export interface BrowserTriggers extends TriggerSource {
  /** A local write committed: ask for a drain (it waits for a scheduled retry, SY4). */
  write(): void;
  /** (Re)open the live channel if it is closed (after signing in again, coming online). */
  reconnectLive(): void;
  /** Close the live channel for good (signed out). */
  closeLive(): void;
}

/** The live channel, asking for records (LV3): a change shows without a pull. */
export const LIVE_URL = '/api/sync/live?records=1';

/** EventSource.CLOSED: the browser stopped reconnecting (an HTTP error such as 401). */
const CLOSED = 2;

export function createBrowserTriggers(deps: BrowserTriggerDeps): BrowserTriggers {
  const listeners = new Set<(event: TriggerEvent, live?: LiveMessageToFollow) => void>();
  let channel: LiveChannel | null = null;
  let hellos = 0;
  let stopped = false;

  const fire = (event: TriggerEvent, live?: LiveMessageToFollow): void => {
    for (const listener of listeners) listener(event, live);
  };

  function onMessage(event: MessageEvent): void {
    let data: unknown;
    try {
      data = JSON.parse(String(event.data));
    } catch {
      return;
    }
    const parsed = LiveMessageSchema.safeParse(data);
    if (!parsed.success) {
      // Not a message of this protocol (PU5): it can still say there is something to pull.
      if ((data as { type?: unknown } | null)?.type !== 'hello') fire('poke');
      return;
    }
    const message = parsed.data;
    if (message.type === 'poke') fire('poke');
    else if (message.type === 'changes') fire('poke', message); // LV3: the drain applies them
    // A second hello means the channel reconnected: pokes may have been missed while it was down, and
    // the server answers again — like coming online, that cuts a scheduled retry short (SY4, LV2).
    // LV3: such a stream follows from `cursor`; the drain pulls if the device is anywhere else.
    else {
      const start = message.cursor === undefined ? undefined : { ...message, cursor: message.cursor };
      if (++hellos > 1) fire('online', start);
      else if (start) fire('poke', start);
    }
  }

  function reconnectLive(): void {
    if (stopped || deps.openLive === null) return;
    if (channel !== null && channel.readyState !== CLOSED) return;
    channel?.close();
    hellos = 0;
    try {
      channel = deps.openLive();
      channel.onmessage = onMessage;
    } catch {
      channel = null;
    }
  }

  const onOnline = (): void => {
    reconnectLive();
    fire('online');
  };
  const onVisibility = (): void => {
    if (deps.document.visibilityState !== 'visible') return;
    reconnectLive();
    fire('visible');
  };

  return {
    subscribe(onTrigger) {
      listeners.add(onTrigger);
      if (listeners.size === 1) {
        stopped = false;
        deps.window.addEventListener('online', onOnline);
        deps.document.addEventListener('visibilitychange', onVisibility);
        reconnectLive();
      }
      return () => {
        listeners.delete(onTrigger);
        if (listeners.size === 0) {
          deps.window.removeEventListener('online', onOnline);
          deps.document.removeEventListener('visibilitychange', onVisibility);
        }
      };
    },
    write: () => fire('write'),
    reconnectLive,
    closeLive() {
      stopped = true;
      channel?.close();
      channel = null;
    },
  };
}
