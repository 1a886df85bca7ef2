import type { ServerResponse } from 'node:http';
import type { LiveMessage } from '../../protocol/index.ts';

/** The part of a response the hub writes to (a ServerResponse in production). */
export type LiveSink = Pick<ServerResponse, 'write' | 'end'>;

export interface LiveHub {
  /** Start a stream: sends `hello` (LV1) and heartbeats (LV2). Returns the function that ends it. */
  subscribe(orgId: string, sink: LiveSink, hello: LiveMessage): () => void;
  /** LV1: tell every stream of the organisation there is something to pull. */
  poke(orgId: string, seq: number): void;
  /** End every stream (server shutdown). */
  closeAll(): void;
  size(): number;
}

/** One SSE event: unnamed (so EventSource `onmessage` sees it), data is a LiveMessage. */
export function sseEvent(message: LiveMessage): string {
  return `data: ${JSON.stringify(message)}\n\n`;
}

export const HEARTBEAT_MS = 25_000;

export function createLiveHub(heartbeatMs: number = HEARTBEAT_MS): LiveHub {
  const byOrg = new Map<string, Set<LiveSink>>();
  const closers = new Map<LiveSink, () => void>();

  return {
    subscribe(orgId, sink, hello) {
      let set = byOrg.get(orgId);
      if (!set) byOrg.set(orgId, (set = new Set()));
      set.add(sink);
      sink.write(sseEvent(hello));
      // LV2: a comment line keeps proxies from closing an idle stream.
      const timer = setInterval(() => sink.write(': keep-alive\n\n'), heartbeatMs);
      timer.unref();
      let open = true;
      const close = () => {
        if (!open) return;
        open = false;
        clearInterval(timer);
        closers.delete(sink);
        set.delete(sink);
        if (set.size === 0) byOrg.delete(orgId);
        sink.end();
      };
      closers.set(sink, close);
      return close;
    },
    poke(orgId, seq) {
      for (const sink of byOrg.get(orgId) ?? []) sink.write(sseEvent({ type: 'poke', seq }));
    },
    closeAll() {
      for (const close of [...closers.values()]) close();
    },
    size() {
      return closers.size;
    },
  };
}
