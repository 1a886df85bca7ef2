import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PullPage } from '../sync/types.ts';
import type { LiveFeed, LiveSink } from './live.ts';
import { HEARTBEAT_MS, createLiveHub } from './live.ts';

function sink() {
  const written: string[] = [];
  let ended = false;
  const s = {
    write: (chunk: string) => {
      written.push(chunk);
      return true;
    },
    end: () => {
      ended = true;
      return s;
    },
  };
  return { sink: s as unknown as LiveSink, written, ended: () => ended };
}

describe('live hub (LV1, LV2)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('LV1: hello first, then pokes only to the same organisation', () => {
    const hub = createLiveHub();
    const a = sink();
    const b = sink();
    hub.subscribe('org-a', a.sink, { type: 'hello', protocolVersion: 1 });
    hub.subscribe('org-b', b.sink, { type: 'hello', protocolVersion: 1 });
    hub.poke('org-a', 7);
    expect(a.written).toEqual(['data: {"type":"hello","protocolVersion":1}\n\n', 'data: {"type":"poke","seq":7}\n\n']);
    expect(b.written).toHaveLength(1);
  });

  it('LV2: a comment line every 25 s, stopped when the stream closes', () => {
    const hub = createLiveHub();
    const a = sink();
    const close = hub.subscribe('org-a', a.sink, { type: 'hello', protocolVersion: 1 });
    vi.advanceTimersByTime(HEARTBEAT_MS);
    expect(a.written.at(-1)).toBe(': keep-alive\n\n');
    close();
    expect(a.ended()).toBe(true);
    expect(hub.size()).toBe(0);
    const count = a.written.length;
    vi.advanceTimersByTime(HEARTBEAT_MS * 3);
    hub.poke('org-a', 9);
    expect(a.written).toHaveLength(count);
  });

  it('closeAll ends every stream (server shutdown)', () => {
    const hub = createLiveHub();
    const a = sink();
    const b = sink();
    hub.subscribe('org-a', a.sink, { type: 'hello', protocolVersion: 1 });
    hub.subscribe('org-a', b.sink, { type: 'hello', protocolVersion: 1 });
    hub.closeAll();
    expect([a.ended(), b.ended(), hub.size()]).toEqual([true, true, 0]);
  });
});

describe('live hub with records (LV3)', () => {
  const wes = { userId: 'wes', orgId: 'org-a', role: 'worker' as const };
  const record = (entityId: string) => ({ entity: 'job' as const, entityId, version: 1, deleted: false, fields: {}, clocks: {} });
  const events = (written: string[]) => written.map((w) => JSON.parse(w.replace(/^data: /, '')) as { type: string });

  function feedOf(pages: Record<number, PullPage | Error>, latest = 10) {
    const pulls: number[] = [];
    const feed: LiveFeed = {
      actorOf: async (key) => (key === 'live' ? wes : null),
      async pull(_actor, cursor) {
        pulls.push(cursor);
        const page = pages[cursor];
        if (page instanceof Error) throw page;
        return page ?? { records: [], cursor, more: false };
      },
      latestSeq: async () => latest,
      stamp: () => 'hlc',
    };
    return { feed, pulls };
  }

  it('LV3: the hello says the seq the stream starts at; messages chain from it; nothing is sent when nothing of theirs changed', async () => {
    const { feed, pulls } = feedOf({ 10: { records: [record('j1')], cursor: 12, more: false }, 12: { records: [], cursor: 13, more: false } });
    const hub = createLiveHub({ feed });
    const a = sink();
    hub.subscribe('org-a', a.sink, { type: 'hello', protocolVersion: 4 }, { sessionKey: 'live' });
    await hub.idle();
    await Promise.resolve();
    hub.poke('org-a', 12);
    await hub.idle();
    hub.poke('org-a', 13);
    await hub.idle();
    expect(pulls).toEqual([10, 12]);
    expect(events(a.written)).toEqual([
      { type: 'hello', protocolVersion: 4, cursor: '10' },
      { type: 'changes', from: '10', cursor: '12', records: [record('j1')], serverHlc: 'hlc' },
    ]);
    hub.poke('org-a', 14); // still from 12: the device never heard of 13
    await hub.idle();
    expect(pulls).toEqual([10, 12, 12]);
  });

  it('LV3: too much for one message, a failing read, or a start not known yet → a poke (the device pulls)', async () => {
    const big: PullPage = { records: [record('j1')], cursor: 11, more: true };
    const { feed } = feedOf({ 10: big, 20: new Error('disk on fire') }, 10);
    const errors: unknown[] = [];
    const hub = createLiveHub({ feed, onError: (e) => errors.push(e) });
    const a = sink();
    hub.subscribe('org-a', a.sink, { type: 'hello', protocolVersion: 4 }, { sessionKey: 'live' });
    hub.poke('org-a', 5); // before the stream's start is known
    await hub.idle();
    hub.poke('org-a', 20); // from 10: more than one message holds; the stream moves to 20
    await hub.idle();
    hub.poke('org-a', 21); // from 20: the read fails
    await hub.idle();
    // The first poke precedes the hello: the stream's start was not known when it was committed.
    expect(events(a.written).map((e) => e.type)).toEqual(['poke', 'hello', 'poke', 'poke']);
    expect(errors).toHaveLength(1);
  });

  it('LV3, AU2: a stream whose session has ended is closed, not sent records', async () => {
    const { feed, pulls } = feedOf({});
    const hub = createLiveHub({ feed });
    const a = sink();
    hub.subscribe('org-a', a.sink, { type: 'hello', protocolVersion: 4 }, { sessionKey: 'signed-out' });
    await Promise.resolve();
    hub.poke('org-a', 11);
    await hub.idle();
    expect([a.ended(), hub.size(), pulls]).toEqual([true, 0, []]);
  });
});
