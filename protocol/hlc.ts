/**
 * Hybrid logical clock (HLC). A stamp is a fixed-width string
 * `<wall ms, 13 digits>-<counter, 4 digits>-<node>` so that plain string
 * comparison orders stamps; the node id breaks ties, making the order total.
 */
export interface HlcState {
  readonly wallMs: number;
  readonly counter: number;
  readonly node: string;
}

export const HLC_PATTERN = /^\d{13}-\d{4}-[A-Za-z0-9_-]{1,64}$/;
const MAX_COUNTER = 9999;

export function formatHlc(s: HlcState): string {
  return `${String(s.wallMs).padStart(13, '0')}-${String(s.counter).padStart(4, '0')}-${s.node}`;
}

export function parseHlc(stamp: string): HlcState {
  if (!HLC_PATTERN.test(stamp)) throw new Error(`not an HLC stamp: ${stamp}`);
  const [wall, counter, ...node] = stamp.split('-');
  return { wallMs: Number(wall), counter: Number(counter), node: node.join('-') };
}

export function initialHlc(node: string): HlcState {
  return { wallMs: 0, counter: 0, node };
}

function bump(wallMs: number, counter: number, node: string): HlcState {
  if (counter > MAX_COUNTER) return { wallMs: wallMs + 1, counter: 0, node };
  return { wallMs, counter, node };
}

/** Next stamp for a local event at physical time `nowMs`. */
export function tickHlc(state: HlcState, nowMs: number): HlcState {
  const now = Math.floor(nowMs);
  if (now > state.wallMs) return { wallMs: now, counter: 0, node: state.node };
  return bump(state.wallMs, state.counter + 1, state.node);
}

/** Merge a stamp seen from elsewhere so that later local stamps order after it. */
export function receiveHlc(state: HlcState, remote: string, nowMs: number): HlcState {
  const r = parseHlc(remote);
  const now = Math.floor(nowMs);
  const wall = Math.max(state.wallMs, r.wallMs, now);
  let counter: number;
  if (wall === state.wallMs && wall === r.wallMs) counter = Math.max(state.counter, r.counter) + 1;
  else if (wall === state.wallMs) counter = state.counter + 1;
  else if (wall === r.wallMs) counter = r.counter + 1;
  else counter = 0;
  return bump(wall, counter, state.node);
}

export function compareHlc(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
