import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LiveSink } from './live.ts';
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
