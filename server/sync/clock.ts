import type { HlcState } from '../../protocol/index.ts';
import { formatHlc, initialHlc, parseHlc, receiveHlc, tickHlc } from '../../protocol/index.ts';

/** Stamps further ahead of the server's wall clock than this are not merged into its clock. */
const MAX_CLOCK_DRIFT_MS = 24 * 60 * 60 * 1000;

/** SY6: the server's own HLC, merged with every stamp it accepts and ticked for every answer. */
export interface ServerClock {
  /** The next stamp, for an answer's `serverHlc`. */
  stamp(): string;
  /** Merge a device's stamp (ignored when it is more than a day ahead of the wall clock). */
  receive(hlc: string): void;
}

export function createServerClock(now: () => number): ServerClock {
  let clock: HlcState = initialHlc('server');
  return {
    stamp() {
      clock = tickHlc(clock, now());
      return formatHlc(clock);
    },
    receive(hlc) {
      const t = now();
      if (parseHlc(hlc).wallMs <= t + MAX_CLOCK_DRIFT_MS) clock = receiveHlc(clock, hlc, t);
    },
  };
}
