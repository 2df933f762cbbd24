import { identifier, idsFilter, literal, matchesFilter, quote, toODataFilter } from '../../../connectors/dynamics/odata';
import { compileFilter } from '../../../connectors/dynamics/simulator/filter';
import { isSyncError } from '../../../src/errors';

describe('OData escaping', () => {
  it.each([
    ['plain', "'plain'"],
    ["O'Brien", "'O''Brien'"],
    ["''", "''''''"],
    ["x' or 1 eq 1 or 'a", "'x'' or 1 eq 1 or ''a'"],
  ])('quotes %j as %s', (input, expected) => {
    expect(quote(input)).toBe(expected);
  });

  it.each([
    [true, 'true'],
    [false, 'false'],
    [null, 'null'],
    [42, '42'],
    [-1.5, '-1.5'],
    ['6A1F2C3D-0000-4000-8000-000000000001', '6a1f2c3d-0000-4000-8000-000000000001'],
    ['text', "'text'"],
  ])('writes the literal %j as %s', (value, expected) => {
    expect(literal(value)).toBe(expected);
  });

  it('refuses non-finite numbers and identifiers outside the allowlist', () => {
    expect(() => literal(Number.NaN)).toThrow();
    for (const bad of ['name eq 1', "x'", 'a/b', '', '1abc', 'a-b']) {
      let caught: unknown = null;
      try {
        identifier(bad);
      } catch (e) {
        caught = e;
      }
      expect(isSyncError(caught) && caught.code).toBe('config');
    }
    expect(identifier('cosell_sync')).toBe('cosell_sync');
  });

  it('translates a participation filter, and the simulator reads it back to the same meaning', () => {
    const filter = {
      all: [
        { field: 'cosell_sync', op: 'eq' as const, value: true },
        { field: 'name', op: 'ne' as const, value: "O'Brien" },
        { field: 'cosell_type', op: 'in' as const, value: [100000000, 100000001] },
        { field: 'estimatedvalue', op: 'ge' as const, value: 10 },
      ],
    };
    const text = toODataFilter(filter);
    expect(text).toBe(
      "cosell_sync eq true and name ne 'O''Brien' and Microsoft.Dynamics.CRM.In(PropertyName='cosell_type',PropertyValues=['100000000','100000001']) and estimatedvalue ge 10",
    );
    const predicate = compileFilter(text, () => true);
    const rows = [
      { cosell_sync: true, name: 'A', cosell_type: 100000000, estimatedvalue: 10 },
      { cosell_sync: true, name: "O'Brien", cosell_type: 100000000, estimatedvalue: 10 },
      { cosell_sync: false, name: 'B', cosell_type: 100000001, estimatedvalue: 99 },
      { cosell_sync: true, name: 'C', cosell_type: 100000002, estimatedvalue: 99 },
      { cosell_sync: true, name: 'D', cosell_type: 100000001, estimatedvalue: 9 },
    ];
    expect(rows.map((r) => predicate(r))).toEqual([true, false, false, false, false]);
    expect(rows.map((r) => matchesFilter(filter, r))).toEqual([true, false, false, false, false]);
    expect(matchesFilter(undefined, {})).toBe(true);
  });

  it('builds an id list filter', () => {
    expect(idsFilter('opportunityid', ['a', 'b'])).toBe("Microsoft.Dynamics.CRM.In(PropertyName='opportunityid',PropertyValues=['a','b'])");
  });
});

describe('simulator $filter parser', () => {
  const rows = [
    { name: "it's", n: 1, b: true, x: null },
    { name: 'other', n: 5, b: false, x: 'y' },
  ];
  it.each([
    ["name eq 'it''s'", [true, false]],
    ['n gt 2 or b eq true', [true, true]],
    ['not (n gt 2) and x eq null', [true, false]],
    ["(n le 1 or n ge 5) and name ne 'other'", [true, false]],
    ['b eq false', [false, true]],
  ])('%s', (text, expected) => {
    const p = compileFilter(text, (c) => ['name', 'n', 'b', 'x'].includes(c));
    expect(rows.map((r) => p(r))).toEqual(expected);
  });

  it.each([["name eq 'open", 'unterminated'], ['nope eq 1', "Could not find a property named 'nope'"], ['n like 1', 'unknown operator']])(
    'refuses %s',
    (text, message) => {
      expect(() => compileFilter(text, (c) => ['name', 'n'].includes(c))).toThrow(message);
    },
  );
});
