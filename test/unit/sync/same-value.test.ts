import fc from 'fast-check';
import { canonical, sameValue } from '../../../src/sync/values';

/** The meaning sameValue keeps: canonical JSON, with an empty string or undefined read as null. */
const byCanonical = (a: unknown, b: unknown): boolean => {
  const n = (v: unknown): unknown => (v === '' || v === undefined ? null : v);
  return canonical(n(a)) === canonical(n(b));
};

// Written out by hand, with the answer canonical JSON gives.
const PAIRS: Array<[unknown, unknown, boolean]> = [
  ['Contoso', 'Contoso', true],
  ['Contoso', 'contoso', false],
  ['', null, true],
  [undefined, null, true],
  ['', undefined, true],
  [0, -0, true],
  [1, '1', false],
  [true, 'true', false],
  [null, 'null', false],
  [Number.NaN, null, true],
  [Number.POSITIVE_INFINITY, Number.NaN, true],
  [Number.POSITIVE_INFINITY, 0, false],
  [0, null, false],
  [false, null, false],
  [{ a: 1, b: 2 }, { b: 2, a: 1 }, true],
  [{ a: 1 }, { a: '1' }, false],
  [[1, 2], [2, 1], false],
  [['x'], 'x', false],
  [{}, null, false],
];

describe('sameValue', () => {
  it.each(PAIRS)('%p and %p: %p', (a, b, expected) => {
    expect(sameValue(a, b)).toBe(expected);
    expect(sameValue(b, a)).toBe(expected);
    expect(byCanonical(a, b)).toBe(expected);
  });
});

/** A value with its object keys reordered (equal under canonical JSON). */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).reverse()) out[key] = reordered((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

describe('sameValue on nested values (compared in place, as canonical JSON compares them)', () => {
  const leaf = fc.oneof(fc.constantFrom<unknown>(null, undefined, '', 0, -0, 1, Number.NaN, Number.POSITIVE_INFINITY, true, false, 'a', 'A', '1'), fc.integer({ min: -3, max: 3 }), fc.string({ maxLength: 3 }));
  const value = fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('a', 'b', 'c', 'amount', 'currency'), tie('v'), { maxKeys: 3 })),
  })).v;

  it('agrees with canonical JSON on random pairs', () => {
    fc.assert(fc.property(value, value, (a, b) => sameValue(a, b) === byCanonical(a, b)), { numRuns: 3000 });
  });

  it('agrees with canonical JSON on a value and its reordered or edited copy', () => {
    fc.assert(
      fc.property(value, fc.boolean(), (a, edit) => {
        const b = edit ? { wrapped: reordered(a) } : reordered(a);
        return sameValue(a, b) === byCanonical(a, b) && (edit || sameValue(a, b));
      }),
      { numRuns: 3000 },
    );
  });

  it('tells apart objects that differ only in a key holding undefined and one holding null', () => {
    expect(sameValue({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameValue({ a: 1, b: null }, { a: 1 })).toBe(false);
    expect(sameValue([{ amount: 1, currency: 'EUR' }], [{ currency: 'EUR', amount: 1 }])).toBe(true);
    expect(sameValue([{ amount: 1, currency: 'EUR' }], [{ currency: 'EUR', amount: 2 }])).toBe(false);
  });
});
