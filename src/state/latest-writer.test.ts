import { describe, expect, it } from 'vitest';
import { createLatestWriter, type WriteState } from './latest-writer.ts';

function deferred() {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('latest writer (notes saved as typed)', () => {
  it('keeps at most one write in flight and only the latest queued value', async () => {
    const calls: string[] = [];
    const gates: Array<ReturnType<typeof deferred>> = [];
    const states: WriteState['kind'][] = [];
    const writer = createLatestWriter<string>(
      (value) => {
        calls.push(value);
        const gate = deferred();
        gates.push(gate);
        return gate.promise;
      },
      (s) => states.push(s.kind),
    );
    const done = writer.write('a');
    void writer.write('ab');
    void writer.write('abc');
    expect(calls).toEqual(['a']);
    gates[0]?.resolve();
    await Promise.resolve();
    await Promise.resolve();
    expect(calls).toEqual(['a', 'abc']);
    gates[1]?.resolve();
    await done;
    expect(states.at(-1)).toBe('saved');
    expect(states).not.toContain('error');
    expect(writer.busy).toBe(false);
  });

  it('says "saved" only after the write resolved, and reports a failure of the latest value', async () => {
    const states: WriteState[] = [];
    const gate = deferred();
    const writer = createLatestWriter<string>(() => gate.promise, (s) => states.push(s));
    const done = writer.write('x');
    expect(states.map((s) => s.kind)).toEqual(['saving']);
    gate.reject(new Error('disk full'));
    await done;
    expect(states.at(-1)).toMatchObject({ kind: 'error' });
  });

  it('a failed earlier value is superseded by a later one that saves', async () => {
    const states: WriteState['kind'][] = [];
    let n = 0;
    const first = deferred();
    const writer = createLatestWriter<string>(
      () => (n++ === 0 ? first.promise : Promise.resolve()),
      (s) => states.push(s.kind),
    );
    const done = writer.write('a');
    void writer.write('ab');
    first.reject(new Error('no'));
    await done;
    expect(states).toEqual(['saving', 'saving', 'saved']);
  });
});
