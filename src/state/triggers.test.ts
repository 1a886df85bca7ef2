import { describe, expect, it } from 'vitest';
import type { LiveChanges } from '../../protocol/index.ts';
import type { LiveMessageToFollow, TriggerEvent } from '../sync/index.ts';
import { createBrowserTriggers, type LiveChannel } from './triggers.ts';

class FakeChannel implements LiveChannel {
  onmessage: ((event: MessageEvent) => void) | null = null;
  readyState = 1;
  close(): void {
    this.readyState = 2;
  }
  send(data: unknown): void {
    this.onmessage?.({ data: JSON.stringify(data) } as MessageEvent);
  }
}

function setup() {
  const win = new EventTarget();
  const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  const channels: FakeChannel[] = [];
  const triggers = createBrowserTriggers({
    window: win,
    document: doc,
    openLive: () => {
      const c = new FakeChannel();
      channels.push(c);
      return c;
    },
  });
  const events: TriggerEvent[] = [];
  const stop = triggers.subscribe((e) => events.push(e));
  return { win, doc, channels, triggers, events, stop };
}

/** One live channel, and every trigger event with the live message it carries (LV3). */
function liveSetup() {
  const channel = new FakeChannel();
  const triggers = createBrowserTriggers({
    window: new EventTarget(),
    document: Object.assign(new EventTarget(), { visibilityState: 'visible' }),
    openLive: () => channel,
  });
  const got: [TriggerEvent, LiveMessageToFollow | undefined][] = [];
  triggers.subscribe((e, live) => got.push([e, live]));
  return { channel, got };
}

describe('browser triggers (SY3)', () => {
  it('online, visible, live pokes and writes become trigger events', () => {
    const { win, doc, channels, triggers, events } = setup();
    expect(channels).toHaveLength(1);
    win.dispatchEvent(new Event('online'));
    doc.dispatchEvent(new Event('visibilitychange'));
    doc.visibilityState = 'hidden';
    doc.dispatchEvent(new Event('visibilitychange'));
    channels[0]?.send({ type: 'hello', protocolVersion: 1 });
    channels[0]?.send({ type: 'poke', seq: 3 });
    channels[0]?.onmessage?.({ data: 'not json' } as MessageEvent);
    triggers.write();
    expect(events).toEqual(['online', 'visible', 'poke', 'write']);
  });

  it('LV3: `changes` arrive as a poke carrying them; a message that is not of this protocol still pokes, never with records', () => {
    const { channel, got } = liveSetup();
    const changes: LiveChanges = {
      type: 'changes',
      from: '4',
      cursor: '9',
      records: [{ entity: 'job', entityId: 'j1', version: 2, deleted: false, fields: { title: 'New' }, clocks: {} }],
      serverHlc: '1700000000000-0000-server',
    };
    channel.send(changes);
    channel.send({ ...changes, records: [{ entity: 'job' }] }); // broken records: pull instead
    expect(got).toEqual([
      ['poke', changes],
      ['poke', undefined],
    ]);
  });

  it('LV3: a hello with a cursor says where the stream follows from; the drain gets it (first as a poke, after a reconnect as coming online)', () => {
    const { channel, got } = liveSetup();
    channel.send({ type: 'hello', protocolVersion: 4, cursor: '12' });
    channel.send({ type: 'hello', protocolVersion: 4, cursor: '15' });
    expect(got).toEqual([
      ['poke', { type: 'hello', protocolVersion: 4, cursor: '12' }],
      ['online', { type: 'hello', protocolVersion: 4, cursor: '15' }],
    ]);
  });

  it('SY4 / LV2: a second hello (the channel reconnected: the server is back) syncs at once like coming online; a closed channel is reopened', () => {
    const { channels, triggers, events } = setup();
    channels[0]?.send({ type: 'hello', protocolVersion: 1 });
    channels[0]?.send({ type: 'hello', protocolVersion: 1 });
    expect(events).toEqual(['online']);
    triggers.reconnectLive();
    expect(channels).toHaveLength(1);
    channels[0]?.close();
    triggers.reconnectLive();
    expect(channels).toHaveLength(2);
  });

  it('stops listening when unsubscribed, and closeLive closes for good', () => {
    const { win, channels, triggers, events, stop } = setup();
    stop();
    win.dispatchEvent(new Event('online'));
    expect(events).toEqual([]);
    triggers.closeLive();
    expect(channels[0]?.readyState).toBe(2);
    triggers.reconnectLive();
    expect(channels).toHaveLength(1);
  });
});
