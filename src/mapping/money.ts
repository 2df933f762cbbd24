/**
 * Money as a CRM can hold it. The amount is rounded to the CRM field's scale (describe `scale`,
 * Dataverse `Precision`), and a single-currency org (`fixedCurrency`) gets a deal in another
 * currency converted at a known rate, or refused: an amount is never relabelled with a currency
 * it was not in. Pure functions only; the codec and the sync use them.
 */
import type { Money } from '../core/model';

/**
 * Exchange rates as both CRMs keep them (Dataverse transactioncurrency.exchangerate, Salesforce
 * CurrencyType.ConversionRate): units of each ISO code per one unit of a base currency.
 */
export interface RateTable {
  base: string;
  rates: Readonly<Record<string, number>>;
}

export interface MoneyPolicy {
  /** The org's one currency; undefined when the CRM carries a currency per record. */
  fixedCurrency: string | undefined;
  /** Decimal places the CRM's amount field keeps; null when unknown (no rounding). */
  scale: number | null;
  /** Rates to convert into `fixedCurrency`; null when none is known. */
  rates: RateTable | null;
}

export type MoneyForCrm = { ok: true; money: Money } | { ok: false; message: string };

/** Decimal places used for a converted amount when the CRM's scale is unknown (most currencies' minor unit). */
const CONVERTED_SCALE = 2;

/** Half away from zero, on the decimal text so that 1.005 rounds to 1.01 as a person expects. */
export function roundToScale(amount: number, scale: number | null): number {
  if (scale === null || !Number.isFinite(amount)) return amount;
  const sign = amount < 0 ? -1 : 1;
  const text = String(Math.abs(amount));
  // Decimal shifting through the text keeps 1.005 -> 1.01; a number written with an exponent
  // (1e21, 1e-7) has no such text form, and a value past the float range stays as it is.
  // Past 2^52 a double has no fractional digits left to round.
  if (Math.abs(amount) >= 2 ** 52) return amount;
  if (text.includes('e')) {
    const factor = 10 ** scale;
    const rounded = Math.round(Math.abs(amount) * factor) / factor;
    return Number.isFinite(rounded) ? sign * rounded : amount;
  }
  const shifted = Math.round(Number(`${text}e${scale}`));
  return sign * Number(`${shifted}e-${scale}`);
}

/** Units of `to` for one unit of `from`, or null when the table lacks either. */
export function rateBetween(table: RateTable, from: string, to: string): number | null {
  if (from === to) return 1;
  const of = (code: string): number | undefined => (code === table.base ? 1 : table.rates[code]);
  const f = of(from);
  const t = of(to);
  if (f === undefined || t === undefined || !(f > 0) || !(t > 0)) return null;
  return t / f;
}

/** The amount the CRM will hold for a co-sell money value, or why it cannot hold it. */
export function moneyForCrm(policy: MoneyPolicy, money: Money): MoneyForCrm {
  const target = policy.fixedCurrency;
  if (target === undefined || money.currency === target) {
    return { ok: true, money: { amount: roundToScale(money.amount, policy.scale), currency: money.currency } };
  }
  const rate = policy.rates === null ? null : rateBetween(policy.rates, money.currency, target);
  if (rate === null) {
    return {
      ok: false,
      message: `${money.amount} ${money.currency} cannot be written to a ${target}-only CRM: no ${money.currency} to ${target} exchange rate (add it to the CRM's currency table or to the mapping's rates)`,
    };
  }
  return { ok: true, money: { amount: roundToScale(money.amount * rate, policy.scale ?? CONVERTED_SCALE), currency: target } };
}

const isMoney = (v: unknown): v is Money =>
  v !== null && typeof v === 'object' && typeof (v as Money).amount === 'number' && typeof (v as Money).currency === 'string';

/**
 * Whether the CRM holding `crmValue` is what writing `cosellValue` leaves there: a rounded or
 * converted echo of our own write is not an edit. Missing values are equal to each other only.
 */
export function equivalentForCrm(policy: MoneyPolicy, cosellValue: unknown, crmValue: unknown): boolean {
  const empty = (v: unknown): boolean => v === null || v === undefined;
  if (empty(cosellValue) || empty(crmValue)) return empty(cosellValue) && empty(crmValue);
  if (!isMoney(cosellValue) || !isMoney(crmValue)) return false;
  const held = moneyForCrm(policy, cosellValue);
  if (!held.ok) return false;
  const scale = policy.scale ?? (held.money.currency === cosellValue.currency ? null : CONVERTED_SCALE);
  const currencyHeld = policy.fixedCurrency ?? held.money.currency;
  return currencyHeld === crmValue.currency && held.money.amount === roundToScale(crmValue.amount, scale);
}
