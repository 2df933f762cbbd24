/** Money as a CRM holds it: hand-computed tables, not the implementation's output. */
import { equivalentForCrm, moneyForCrm, rateBetween, roundToScale, type MoneyPolicy } from '../../../src/mapping/money';

describe('roundToScale', () => {
  it.each([
    [1234.567, 2, 1234.57],
    [1234.565, 2, 1234.57],
    [1.005, 2, 1.01],
    [-1.005, 2, -1.01],
    [2.5, 0, 3],
    [0.1 + 0.2, 2, 0.3],
    [1234.567, null, 1234.567],
    [50000, 2, 50000],
  ])('%p at scale %p is %p', (amount, scale, expected) => {
    expect(roundToScale(amount, scale)).toBe(expected);
  });
});

describe('rateBetween', () => {
  // Dataverse-style table: units per one USD.
  const table = { base: 'USD', rates: { EUR: 0.8, GBP: 0.5 } };
  it.each([
    ['EUR', 'USD', 1.25],
    ['USD', 'EUR', 0.8],
    ['GBP', 'EUR', 1.6],
    ['USD', 'USD', 1],
    ['JPY', 'USD', null],
  ])('%s -> %s is %p', (from, to, expected) => {
    expect(rateBetween(table, from, to)).toBe(expected);
  });
});

describe('moneyForCrm and equivalentForCrm', () => {
  const usdOrg: MoneyPolicy = { fixedCurrency: 'USD', scale: 2, rates: { base: 'USD', rates: { EUR: 0.8 } } };
  const multi: MoneyPolicy = { fixedCurrency: undefined, scale: 2, rates: null };

  it('converts 50,000 EUR for a USD-only org instead of relabelling it', () => {
    expect(moneyForCrm(usdOrg, { amount: 50000, currency: 'EUR' })).toEqual({ ok: true, money: { amount: 62500, currency: 'USD' } });
    expect(moneyForCrm(usdOrg, { amount: 19.999, currency: 'USD' })).toEqual({ ok: true, money: { amount: 20, currency: 'USD' } });
  });

  it('refuses a currency it has no rate for, naming both currencies', () => {
    expect(moneyForCrm(usdOrg, { amount: 10, currency: 'GBP' })).toEqual({
      ok: false,
      message: "10 GBP cannot be written to a USD-only CRM: no GBP to USD exchange rate (add it to the CRM's currency table or to the mapping's rates)",
    });
    expect(moneyForCrm({ ...usdOrg, rates: null }, { amount: 10, currency: 'EUR' }).ok).toBe(false);
  });

  it.each([
    ['converted echo', usdOrg, { amount: 50000, currency: 'EUR' }, { amount: 62500, currency: 'USD' }, true],
    ['converted, then edited in the CRM', usdOrg, { amount: 50000, currency: 'EUR' }, { amount: 62501, currency: 'USD' }, false],
    ['rounded echo', multi, { amount: 1234.567, currency: 'EUR' }, { amount: 1234.57, currency: 'EUR' }, true],
    ['same amount, other currency', multi, { amount: 100, currency: 'EUR' }, { amount: 100, currency: 'USD' }, false],
    ['edited by a cent', multi, { amount: 1234.567, currency: 'EUR' }, { amount: 1234.56, currency: 'EUR' }, false],
    ['no rate: never equivalent', usdOrg, { amount: 10, currency: 'GBP' }, { amount: 10, currency: 'USD' }, false],
    ['both empty', multi, null, null, true],
    ['one empty', multi, { amount: 1, currency: 'EUR' }, null, false],
  ])('%s', (_name, policy, cosell, crm, expected) => {
    expect(equivalentForCrm(policy, cosell, crm)).toBe(expected);
  });
});

describe('roundToScale on numbers written with an exponent', () => {
  it('keeps a value past the float range, rounds tiny and huge values arithmetically', () => {
    expect(roundToScale(1e308, 2)).toBe(1e308);
    expect(roundToScale(1e-7, 2)).toBe(0);
    expect(roundToScale(-1e21, 2)).toBe(-1e21);
    expect(roundToScale(1.005, 2)).toBe(1.01);
  });
});
