import { runQuery } from '../../../connectors/salesforce/simulator/query-engine';
import { parseSoql } from '../../../connectors/salesforce/simulator/soql/parser';
import { SoqlSyntaxError } from '../../../connectors/salesforce/simulator/soql/lexer';
import { SoqlSemanticError } from '../../../connectors/salesforce/simulator/soql/evaluate';
import { findObject } from '../../../connectors/salesforce/simulator/schema';
import { SimStore } from '../../../connectors/salesforce/simulator/store';

function storeWith(rows: Array<Record<string, unknown>>): { store: SimStore; ids: string[] } {
  const store = new SimStore();
  const obj = findObject('Opportunity');
  if (!obj) throw new Error('no Opportunity');
  const ids = rows.map((r) => {
    const res = store.create(obj, { StageName: 'Prospecting', CloseDate: '2026-01-01', ...r });
    if (!res.ok) throw new Error(JSON.stringify(res.errors));
    return res.id;
  });
  return { store, ids };
}

const names = (store: SimStore, soql: string): unknown[] => runQuery(store, soql, false).rows.map((r) => r['Name']);

describe('simulator SOQL parser', () => {
  it('parses select lists, COUNT(), boolean structure, ORDER BY and LIMIT', () => {
    const q = parseSoql("SELECT Id, Account.Name FROM Opportunity WHERE NOT (Amount > 5 OR Name LIKE 'a\\_%') AND StageName IN ('x', 'y') ORDER BY SystemModstamp, Id DESC NULLS LAST LIMIT 10 OFFSET 2");
    expect(q.fields).toEqual(['Id', 'Account.Name']);
    expect(q.where).toMatchObject({ kind: 'and', left: { kind: 'not', expr: { kind: 'or' } }, right: { kind: 'in', negate: false } });
    expect(q.orderBy).toEqual([
      { field: 'SystemModstamp', desc: false, nullsLast: false },
      { field: 'Id', desc: true, nullsLast: true },
    ]);
    expect(q.limit).toBe(10);
    expect(q.offset).toBe(2);
    expect(parseSoql('select count() from Opportunity').count).toBe(true);
  });

  it.each(["SELECT FROM Opportunity", "SELECT Id FROM Opportunity WHERE Name = 'open", 'SELECT Id FROM Opportunity WHERE Name = ', "SELECT Id FROM Opportunity WHERE Name = 'a' OR", "SELECT Id FROM Opportunity WHERE Name = 'bad \\q escape'", 'SELECT Id FROM Opportunity LIMIT -1'])('rejects %j', (soql) => {
    expect(() => parseSoql(soql)).toThrow(SoqlSyntaxError);
  });
});

describe('simulator SOQL evaluation', () => {
  const { store } = storeWith([
    { Name: 'Alpha', Amount: 10 },
    { Name: "O'Brien", Amount: 20, CoSell_Sync__c: true },
    { Name: 'alpha two', Amount: null, CoSell_Sync__c: true },
    { Name: '50% off_deal', Amount: 30 },
  ]);

  it.each([
    ["SELECT Name FROM Opportunity WHERE Name = 'ALPHA'", ['Alpha']],
    ["SELECT Name FROM Opportunity WHERE Name = 'O\\'Brien'", ["O'Brien"]],
    ["SELECT Name FROM Opportunity WHERE Name LIKE 'alpha%' ORDER BY Name", ['Alpha', 'alpha two']],
    ["SELECT Name FROM Opportunity WHERE Name LIKE '50\\%%'", ['50% off_deal']],
    ["SELECT Name FROM Opportunity WHERE Name LIKE '%\\_%'", ['50% off_deal']],
    ['SELECT Name FROM Opportunity WHERE Amount = null', ['alpha two']],
    ['SELECT Name FROM Opportunity WHERE Amount != null AND Amount >= 20 ORDER BY Amount DESC', ['50% off_deal', "O'Brien"]],
    ["SELECT Name FROM Opportunity WHERE CoSell_Sync__c = true AND NOT Name = 'ALPHA TWO'", ["O'Brien"]],
    ['SELECT Name FROM Opportunity WHERE CoSell_Sync__c = false OR Amount < 15 ORDER BY Name', ['50% off_deal', 'Alpha']],
    ["SELECT Name FROM Opportunity WHERE Name NOT IN ('alpha', 'o\\'brien') ORDER BY Amount ASC NULLS LAST", ['50% off_deal', 'alpha two']],
    ['SELECT Name FROM Opportunity ORDER BY Amount NULLS FIRST LIMIT 2', ['alpha two', 'Alpha']],
    ['SELECT Name FROM Opportunity WHERE CloseDate = 2026-01-01 AND SystemModstamp > 2020-01-01T00:00:00Z ORDER BY Name LIMIT 1', ['50% off_deal']],
  ])('%s', (soql, expected) => {
    expect(names(store, soql)).toEqual(expected);
  });

  it('counts with COUNT()', () => {
    expect(runQuery(store, 'SELECT COUNT() FROM Opportunity WHERE CoSell_Sync__c = true', false).totalSize).toBe(2);
  });

  it('rejects unknown fields and literals of the wrong type, as an org does', () => {
    expect(() => runQuery(store, 'SELECT Nope FROM Opportunity', false)).toThrow(SoqlSemanticError);
    expect(() => runQuery(store, "SELECT Id FROM Opportunity WHERE SystemModstamp > '2020-01-01T00:00:00Z'", false)).toThrow(/dateTime|datetime/);
    expect(() => runQuery(store, "SELECT Id FROM Opportunity WHERE Amount = '5'", false)).toThrow(SoqlSemanticError);
    expect(() => runQuery(store, 'SELECT Id FROM Nothing', false)).toThrow(SoqlSemanticError);
  });
});

describe('simulator store', () => {
  it('derives IsClosed/IsWon and probability from the stage and checks required fields and picklists', () => {
    const store = new SimStore();
    const obj = findObject('Opportunity');
    if (!obj) throw new Error('no Opportunity');
    const won = store.create(obj, { Name: 'W', StageName: 'Closed Won', CloseDate: '2026-01-01' });
    expect(won.ok && store.get(obj, won.id)).toMatchObject({ IsClosed: true, IsWon: true, Probability: 100 });
    expect(store.create(obj, { Name: 'X' })).toMatchObject({ ok: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['StageName', 'CloseDate'] }] });
    expect(store.create(obj, { Name: 'X', StageName: 'Dreaming', CloseDate: '2026-01-01' })).toMatchObject({ ok: false, errors: [{ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' }] });
    expect(store.create(obj, { Name: 'x'.repeat(121), StageName: 'Prospecting', CloseDate: '2026-01-01' })).toMatchObject({ ok: false, errors: [{ statusCode: 'STRING_TOO_LONG' }] });
    expect(store.create(obj, { Name: 'X', StageName: 'Prospecting', CloseDate: '2026-01-01', IsWon: true })).toMatchObject({ ok: false, errors: [{ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE' }] });
  });

  it('keeps SystemModstamp strictly increasing unless pinned', () => {
    const { store, ids } = storeWith([{ Name: 'a' }, { Name: 'b' }, { Name: 'c' }]);
    const obj = findObject('Opportunity');
    if (!obj) throw new Error('no Opportunity');
    const stamps = ids.map((id) => Number(store.get(obj, id)?.['SystemModstamp']));
    expect(stamps[0]).toBeLessThan(stamps[1] ?? 0);
    expect(stamps[1]).toBeLessThan(stamps[2] ?? 0);
    store.pinnedStamp = Date.UTC(2026, 0, 1);
    store.update(obj, ids[0] ?? '', { Name: 'a2' });
    store.update(obj, ids[1] ?? '', { Name: 'b2' });
    expect(store.get(obj, ids[0] ?? '')?.['SystemModstamp']).toBe(Date.UTC(2026, 0, 1));
    expect(store.get(obj, ids[1] ?? '')?.['SystemModstamp']).toBe(Date.UTC(2026, 0, 1));
  });

  it('upserts on the external id and reports several matches', () => {
    const store = new SimStore();
    const obj = findObject('Opportunity');
    if (!obj) throw new Error('no Opportunity');
    const a = store.upsert(obj, 'CoSell_Id__c', 'k1', { Name: 'A', StageName: 'Prospecting', CloseDate: '2026-01-01' });
    const b = store.upsert(obj, 'CoSell_Id__c', 'K1', { Name: 'A2' });
    expect(a).toMatchObject({ ok: true, created: true });
    expect(b).toMatchObject({ ok: true, created: false, id: a.ok ? a.id : '' });
    expect(store.create(obj, { Name: 'dup', StageName: 'Prospecting', CloseDate: '2026-01-01', CoSell_Id__c: 'k1' })).toMatchObject({ ok: false, errors: [{ statusCode: 'DUPLICATE_VALUE' }] });
  });
});
