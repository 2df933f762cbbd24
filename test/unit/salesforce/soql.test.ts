import fc from 'fast-check';
import { assertFieldName, escapeSoqlLike, escapeSoqlString, filterToSoql, idList, soqlDateTime, soqlLiteral } from '../../../connectors/salesforce/soql';
import { tokenize } from '../../../connectors/salesforce/simulator/soql/lexer';
import { parseSoql } from '../../../connectors/salesforce/simulator/soql/parser';

describe('escapeSoqlString', () => {
  it.each([
    ["O'Brien", "O\\'Brien"],
    ['back\\slash', 'back\\\\slash'],
    ['say "hi"', 'say \\"hi\\"'],
    ['a\nb\rc\td', 'a\\nb\\rc\\td'],
    ['\b\f', '\\b\\f'],
    ["O'Brien's \\ \"deal\"", "O\\'Brien\\'s \\\\ \\\"deal\\\""],
    ['plain', 'plain'],
  ])('%j → %j', (input, expected) => {
    expect(escapeSoqlString(input)).toBe(expected);
  });

  it('any string survives a round trip through a SOQL string literal and stays one token', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const tokens = tokenize(`Name = ${soqlLiteral(s)} AND Id != null`);
        expect(tokens.map((t) => t.kind)).toEqual(['ident', 'op', 'string', 'ident', 'ident', 'op', 'ident', 'eof']);
        const literal = tokens[2];
        expect(literal?.kind === 'string' ? literal.value : null).toBe(s);
      }),
      { numRuns: 300 },
    );
  });

  it('escapes LIKE wildcards so user text matches literally', () => {
    expect(escapeSoqlLike("50%_off'")).toBe("50\\%\\_off\\'");
  });
});

describe('soqlLiteral', () => {
  it.each([
    [null, undefined, 'null'],
    [true, undefined, 'true'],
    [false, undefined, 'false'],
    [42, undefined, '42'],
    [-1.5, undefined, '-1.5'],
    ['2024-02-29', 'date', '2024-02-29'],
    ['2024-02-29T10:11:12.000+0000', 'datetime', '2024-02-29T10:11:12Z'],
    ['2024-02-29T10:11:12.345Z', 'datetime', '2024-02-29T10:11:12.345Z'],
    [new Date(Date.UTC(2024, 0, 1)), undefined, '2024-01-01T00:00:00Z'],
  ] as const)('%j (%s) → %s', (value, kind, expected) => {
    expect(soqlLiteral(value, kind)).toBe(expected);
  });

  it('rejects non-finite numbers and malformed dates', () => {
    expect(() => soqlLiteral(Number.NaN)).toThrow(/finite/);
    expect(() => soqlLiteral(Infinity)).toThrow(/finite/);
    expect(() => soqlLiteral('2024-13-45', 'date')).toThrow(/not a date/);
    expect(() => soqlLiteral("2024-01-01' OR Id != null", 'datetime')).toThrow(/not a datetime/);
    expect(() => soqlDateTime('yesterday')).toThrow(/not a datetime/);
  });
});

describe('field allowlist', () => {
  const allowed = ['Name', 'CoSell_Sync__c', 'Account.Name'];
  it('accepts allowlisted identifiers, case-insensitively', () => {
    expect(assertFieldName('name', allowed)).toBe('name');
    expect(assertFieldName('Account.Name', allowed)).toBe('Account.Name');
  });
  it.each(['Amount', 'Name, Id', 'Name--', 'Name FROM Account', "Name'", '1Name', '', 'Account..Name'])('rejects %j', (name) => {
    expect(() => assertFieldName(name, allowed)).toThrow();
  });
  it('only accepts Salesforce-shaped ids in an id list', () => {
    expect(idList(['0065g000000abcdAAA', '0065g000000abcd'])).toBe("('0065g000000abcdAAA', '0065g000000abcd')");
    expect(() => idList(["0065g000000abc' OR Id != '"])).toThrow(/not a Salesforce id/);
  });
});

describe('filterToSoql', () => {
  it('renders every operator and parses back as the same condition', () => {
    const soql = filterToSoql(
      {
        all: [
          { field: 'CoSell_Sync__c', op: 'eq', value: true },
          { field: 'StageName', op: 'in', value: ['Prospecting', "Needs 'Analysis'"] },
          { field: 'Amount', op: 'ge', value: 10 },
          { field: 'CloseDate', op: 'lt', value: '2027-01-01' },
          { field: 'Name', op: 'ne', value: null },
        ],
      },
      { allowed: ['CoSell_Sync__c', 'StageName', 'Amount', 'CloseDate', 'Name'], kinds: new Map([['CloseDate', 'date' as const]]) },
    );
    expect(soql).toBe("CoSell_Sync__c = true AND StageName IN ('Prospecting', 'Needs \\'Analysis\\'') AND Amount >= 10 AND CloseDate < 2027-01-01 AND Name != null");
    const parsed = parseSoql(`SELECT Id FROM Opportunity WHERE ${soql ?? ''}`);
    expect(parsed.where?.kind).toBe('and');
  });
  it('returns null for an empty filter and rejects list values outside IN', () => {
    expect(filterToSoql({ all: [] }, { allowed: [] })).toBeNull();
    expect(() => filterToSoql({ all: [{ field: 'Name', op: 'eq', value: ['a'] }] }, { allowed: ['Name'] })).toThrow(/only IN/);
    expect(() => filterToSoql({ all: [{ field: 'Name', op: 'in', value: [] }] }, { allowed: ['Name'] })).toThrow(/at least one/);
  });
});
