import { describe, expect, it } from 'vitest';
import { ChangeIdSchema, DeviceIdSchema, EntityIdSchema } from './ids.ts';
import { uuidv7 } from './uuid.ts';

describe('uuidv7', () => {
  it('makes RFC 9562 version 7 ids that the id schemas accept', () => {
    const id = uuidv7();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ChangeIdSchema.safeParse(id).success).toBe(true);
    expect(EntityIdSchema.safeParse(id).success).toBe(true);
    expect(DeviceIdSchema.safeParse(id).success).toBe(true);
  });

  it('carries the time it was made in its first 48 bits', () => {
    const before = Date.now();
    const id = uuidv7();
    const after = Date.now();
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });

  it('ids made later sort after ids made earlier, also within one millisecond', () => {
    const ids = Array.from({ length: 5_000 }, () => uuidv7());
    expect(new Set(ids).size).toBe(ids.length);
    const sorted = [...ids].sort();
    expect(sorted).toEqual(ids);
  });
});
