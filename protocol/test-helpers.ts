import type { Change } from './changes.ts';
import { PAYLOAD_VERSION } from './version.ts';

let n = 0;
/** A valid change for tests; override any part. */
export function makeChange(over: Partial<Change> & Pick<Change, 'entity' | 'entityId'>): Change {
  n += 1;
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}` as Change['id'];
  return {
    id,
    deviceId: 'dev-a',
    op: 'update',
    fields: {},
    hlc: `${String(1_700_000_000_000 + n).padStart(13, '0')}-0000-dev-a`,
    baseVersion: 0,
    payloadVersion: PAYLOAD_VERSION,
    ...over,
  };
}
