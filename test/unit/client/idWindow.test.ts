import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdWindow } from '../../../src/idWindow.js';

/** Feeds `ids` to a window of `size` and to the plainest model of it (the last `size` ids, in an array), checking every answer. */
function checkAgainstModel(size: number, ids: readonly string[], probes: readonly string[]): void {
  const window = new IdWindow(size);
  const model: string[] = [];
  for (const id of ids) {
    const known = model.includes(id);
    expect(window.has(id)).toBe(known);
    expect(window.addIfNew(id)).toBe(!known);
    if (known) continue;
    model.push(id);
    if (model.length > size) model.shift();
  }
  for (const id of [...probes, ...ids]) expect(window.has(id)).toBe(model.includes(id));
}

// The ledger's id window against the plainest model of it.
describe('IdWindow', () => {
  it('remembers exactly the last `size` ids added, whatever the order and the repeats', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 600 }),
        (size, numbers) => {
          // Ids that share their last characters and lengths, so hashes cluster and collide.
          const idOf = (n: number) =>
            n % 3 === 0 ? `evt-${n}` : n % 3 === 1 ? `${n}` : `a.${'x'.repeat(n % 7)}${n}`;
          const probes = Array.from({ length: 121 }, (_, n) => [`evt-${n}`, `${n}`]).flat();
          checkAgainstModel(size, numbers.map(idOf), probes);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps numbered ids that follow each other as exactly as any other', () => {
    // Runs of `<prefix>.<n>` broken by jumps back and forth, other prefixes, repeats, and look-alikes
    // that are not plain decimals ("p.01", "p.", "p.1x").
    const step = fc.oneof(
      { weight: 6, arbitrary: fc.constant('next') },
      { weight: 1, arbitrary: fc.integer({ min: -6, max: 6 }) },
      { weight: 1, arbitrary: fc.constantFrom('p.', 'q.', '', 'p.q.') },
      { weight: 1, arbitrary: fc.constantFrom('p.01', 'p.', 'p.1x', '.5', 'p.007', '0', 'p.0') },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.array(step, { maxLength: 400 }), (size, steps) => {
        let prefix = 'p.';
        let n = 0;
        const ids: string[] = [];
        for (const move of steps) {
          if (move === 'next') n++;
          else if (typeof move === 'number') n = Math.max(0, n + move);
          else if (move.length <= 4 && (move === '' || move.endsWith('.'))) prefix = move;
          else {
            ids.push(move);
            continue;
          }
          ids.push(`${prefix}${n}`);
        }
        const probes = Array.from({ length: 60 }, (_, k) => [`p.${k}`, `q.${k}`, `${k}`]).flat();
        checkAgainstModel(size, ids, probes);
      }),
      { numRuns: 300 },
    );
  });

  it('forgets everything on clear', () => {
    const window = new IdWindow(4);
    for (const id of ['a', 'b', 'c', 'e.1', 'e.2']) window.addIfNew(id);
    window.clear();
    expect(['a', 'b', 'c', 'e.1', 'e.2'].map((id) => window.has(id))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(window.addIfNew('a')).toBe(true);
    expect(window.addIfNew('e.2')).toBe(true);
    expect(window.has('a')).toBe(true);
  });
});
