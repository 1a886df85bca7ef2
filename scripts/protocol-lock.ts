// Writes protocol/schema-lock.json after a deliberate protocol change (VR1).
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { protocolFingerprint } from '../protocol/fingerprint.ts';
import { PROTOCOL_VERSION } from '../protocol/version.ts';

const hash = createHash('sha256').update(protocolFingerprint()).digest('hex');
writeFileSync(
  new URL('../protocol/schema-lock.json', import.meta.url),
  `${JSON.stringify({ protocolVersion: PROTOCOL_VERSION, hash }, null, 2)}\n`,
);
console.log(`protocol ${PROTOCOL_VERSION} locked at ${hash}`);
