import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdWindow } from '../../../src/idWindow.js';

// The ledger's id window against the plainest model of it: the last `size` ids, in an array.
describe('IdWindow', () => {
  it('remembers exactly the last `size` ids added, whatever the order and the repeats', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 600 }),
        (size, numbers) => {
          const window = new IdWindow(size);
          const model: string[] = [];
          for (const n of numbers) {
            // Ids that share their last characters and lengths, so hashes cluster and collide.
            const id = n % 3 === 0 ? `evt-${n}` : n % 3 === 1 ? `${n}` : `a.${'x'.repeat(n % 7)}${n}`;
            const known = model.includes(id);
            expect(window.has(id)).toBe(known);
            if (known) continue;
            window.add(id);
            model.push(id);
            if (model.length > size) model.shift();
          }
          for (let n = 0; n <= 120; n++)
            for (const id of [`evt-${n}`, `${n}`]) expect(window.has(id)).toBe(model.includes(id));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('forgets everything on clear', () => {
    const window = new IdWindow(4);
    for (const id of ['a', 'b', 'c']) window.add(id);
    window.clear();
    expect(['a', 'b', 'c'].map((id) => window.has(id))).toEqual([false, false, false]);
    window.add('a');
    expect(window.has('a')).toBe(true);
  });
});
