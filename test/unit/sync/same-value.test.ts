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
