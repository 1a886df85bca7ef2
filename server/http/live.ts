import type { ServerResponse } from 'node:http';
import { LIVE_CHANGES_LIMIT } from '../../protocol/index.ts';
import type { LiveHello, LiveMessage } from '../../protocol/index.ts';
import type { Actor, PullPage } from '../sync/types.ts';

/** The part of a response the hub writes to (a ServerResponse in production). */
export type LiveSink = Pick<ServerResponse, 'write' | 'end'>;

/** What the hub needs to send a stream its records (LV3). */
export interface LiveFeed {
  /** The person behind a session now, or null when the session has ended (the stream then closes, AU2). */
  actorOf(sessionKey: string): Promise<Actor | null>;
  /** The pull (PL1, PL2): the same filter and the same cursor as `GET /api/sync/pull`. */
  pull(actor: Actor, cursor: number, limit: number): Promise<PullPage>;
  /** Newest committed sequence number: where a new stream starts following. */
  latestSeq(): Promise<number>;
  /** The server clock's next stamp (SY6), as a pull answer carries. */
  stamp(): string;
}

/** A stream that carries records (LV3): whose it is, and the cursor its last message ended at. */
export interface LiveFollow {
  readonly sessionKey: string;
}

export interface LiveHub {
  /**
   * Start a stream: sends `hello` (LV1) and heartbeats (LV2). With `follow` (and a feed), commits in the
   * organisation reach it as `changes` (LV3) instead of pokes, and its hello, sent once the newest seq is
   * read, carries the cursor it follows from. Returns the function that ends it.
   */
  subscribe(orgId: string, sink: LiveSink, hello: LiveHello, follow?: LiveFollow): () => void;
  /** LV1 / LV3: something in the organisation was committed, up to `seq`. */
  poke(orgId: string, seq: number): void;
  /** Resolves once every stream has been told about every commit poked so far (tests, shutdown). */
  idle(): Promise<void>;
  /** End every stream (server shutdown). */
  closeAll(): void;
  size(): number;
}

/** One SSE event: unnamed (so EventSource `onmessage` sees it), data is a LiveMessage. */
export function sseEvent(message: LiveMessage): string {
  return `data: ${JSON.stringify(message)}\n\n`;
}

export const HEARTBEAT_MS = 25_000;

export interface LiveHubOptions {
  readonly heartbeatMs?: number;
  /** Without a feed every stream gets pokes only (LV1). */
  readonly feed?: LiveFeed;
  /** Called when sending a stream its records failed (the stream gets a poke instead). */
  readonly onError?: (err: unknown) => void;
}

interface Stream {
  readonly sink: LiveSink;
  readonly follow: LiveFollow | null;
  /** LV3: the cursor the last message to this stream ended at; null until its start is known. */
  cursor: number | null;
  close(): void;
}

export function createLiveHub(options: LiveHubOptions = {}): LiveHub {
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const feed = options.feed ?? null;
  const byOrg = new Map<string, Set<Stream>>();
  const streams = new Set<Stream>();
  /** Organisations with commits not yet sent to their following streams, and the newest seq of each. */
  const dirty = new Map<string, number>();
  let sending: Promise<void> | null = null;

  const send = (stream: Stream, message: LiveMessage): void => {
    stream.sink.write(sseEvent(message));
  };

  /** LV3: one stream's message for the commits since its cursor (streams of one org in turn, never at once). */
  async function follow(stream: Stream, seq: number): Promise<void> {
    if (!feed || !stream.follow) return;
    if (stream.cursor === null) {
      send(stream, { type: 'poke', seq }); // where it starts is not known yet: the device pulls (LV1)
      return;
    }
    const actor = await feed.actorOf(stream.follow.sessionKey);
    if (!streams.has(stream)) return;
    if (actor === null) {
      stream.close(); // signed out or expired: no more data on this stream (the device sees it close)
      return;
    }
    const from = stream.cursor;
    const page = await feed.pull(actor, from, LIVE_CHANGES_LIMIT);
    if (!streams.has(stream)) return;
    if (page.more) {
      // Too much for one message: a poke, and the device pulls (LV1). Its pull ends at the newest seq.
      stream.cursor = Math.max(from, seq, await feed.latestSeq());
      send(stream, { type: 'poke', seq });
      return;
    }
    // Nothing new for this person: no message, and the stream stays where the device is. (Moving on
    // silently would leave the device's cursor behind the next message's `from`.)
    if (page.records.length === 0) return;
    stream.cursor = page.cursor;
    send(stream, { type: 'changes', from: String(from), cursor: String(page.cursor), records: page.records, serverHlc: feed.stamp() });
  }

  async function drainDirty(): Promise<void> {
    while (dirty.size > 0) {
      const [orgId, seq] = dirty.entries().next().value as [string, number];
      dirty.delete(orgId);
      for (const stream of [...(byOrg.get(orgId) ?? [])]) {
        if (!stream.follow) continue;
        try {
          await follow(stream, seq);
        } catch (err) {
          options.onError?.(err);
          if (streams.has(stream)) send(stream, { type: 'poke', seq }); // the device pulls instead
        }
      }
    }
  }

  function startSending(): void {
    if (sending) return;
    sending = drainDirty().finally(() => {
      sending = null;
      if (dirty.size > 0) startSending();
    });
  }

  return {
    subscribe(orgId, sink, hello, followOpts) {
      let set = byOrg.get(orgId);
      if (!set) byOrg.set(orgId, (set = new Set()));
      // LV2: a comment line keeps proxies from closing an idle stream.
      const timer = setInterval(() => sink.write(': keep-alive\n\n'), heartbeatMs);
      timer.unref();
      let open = true;
      const stream: Stream = {
        sink,
        follow: feed && followOpts ? followOpts : null,
        cursor: null,
        close() {
          if (!open) return;
          open = false;
          clearInterval(timer);
          streams.delete(stream);
          set.delete(stream);
          if (set.size === 0) byOrg.delete(orgId);
          sink.end();
        },
      };
      set.add(stream);
      streams.add(stream);
      if (stream.follow && feed) {
        // LV3: the stream follows from the newest seq now, and its hello says so: a device whose cursor is
        // elsewhere pulls (its own pull may have ended before a commit this stream will never carry).
        // A commit before that is known gets a plain poke (see `follow`).
        feed.latestSeq().then(
          (latest) => {
            if (!open) return;
            stream.cursor = latest;
            send(stream, { ...hello, cursor: String(latest) });
          },
          (err: unknown) => {
            options.onError?.(err);
            stream.close();
          },
        );
      } else {
        send(stream, hello);
      }
      return stream.close;
    },
    poke(orgId, seq) {
      for (const stream of byOrg.get(orgId) ?? []) if (!stream.follow) send(stream, { type: 'poke', seq });
      if (feed && [...(byOrg.get(orgId) ?? [])].some((s) => s.follow)) {
        dirty.set(orgId, Math.max(seq, dirty.get(orgId) ?? 0));
        startSending();
      }
    },
    async idle() {
      while (sending) await sending;
    },
    closeAll() {
      for (const stream of [...streams]) stream.close();
    },
    size() {
      return streams.size;
    },
  };
}
