import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { protocolFingerprint } from './fingerprint.ts';
import { MIN_PROTOCOL_VERSION, PROTOCOL_VERSION } from './version.ts';

describe('protocol version guard', () => {
  const lock = JSON.parse(readFileSync(new URL('./schema-lock.json', import.meta.url), 'utf8')) as {
    protocolVersion: number;
    hash: string;
  };

  it('VR1: the schemas hash to the locked value for this protocol version', () => {
    const hash = createHash('sha256').update(protocolFingerprint()).digest('hex');
    expect(
      { protocolVersion: PROTOCOL_VERSION, hash },
      'The protocol schemas changed. Bump PROTOCOL_VERSION (with a line of history in protocol/version.ts) and run `npm run protocol:lock`.',
    ).toEqual(lock);
  });

  it('VR1: the minimum supported version is not above the current one', () => {
    expect(MIN_PROTOCOL_VERSION).toBeGreaterThanOrEqual(1);
    expect(MIN_PROTOCOL_VERSION).toBeLessThanOrEqual(PROTOCOL_VERSION);
  });

  it('VR1: the fingerprint sees a change to a field schema', async () => {
    const { FIELD_SCHEMAS } = await import('./entities.ts');
    const before = protocolFingerprint();
    const fields = FIELD_SCHEMAS.job as Record<string, unknown>;
    const original = fields.title;
    const { z } = await import('zod');
    fields.title = z.string().min(1).max(201);
    try {
      expect(protocolFingerprint()).not.toBe(before);
    } finally {
      fields.title = original;
    }
    expect(protocolFingerprint()).toBe(before);
  });
});
