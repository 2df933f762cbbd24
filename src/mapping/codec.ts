/**
 * One mapped field as a pair of pure functions: CRM record -> co-sell value, co-sell value -> CRM
 * fields. Co-sell shapes follow src/core/model.ts (money {amount, currency}, dates YYYY-MM-DD,
 * missing = null); CRM shapes are the provider's JSON.
 */
import { z } from 'zod';
import { COSELL_FIELDS, type CosellField } from '../core/fields';
import { SOLUTION_KINDS } from '../core/model';
import type { ConnectorKind } from '../ports/connector';
import { dataverseLookupValue, FORMATTED_VALUE, getCrmValue, salesforceRelationship, selectFields } from './crm-names';
import { moneyForCrm, type MoneyPolicy, type RateTable } from './money';
import { ValueRefusedError } from './refusal';
import type { FieldMappingSpec } from './schema';
import { textLength, tooLongMessage, truncateText } from './text-length';

export type ReadResult = { ok: true; value: unknown } | { ok: false; crmField: string; message: string };

export interface FieldCodec {
  select: string[];
  read(record: Record<string, unknown>): ReadResult;
  /** Throws ValueRefusedError when the CRM cannot hold the value. */
  write(value: unknown): Record<string, unknown>;
}

/** What the CRM itself says about a field (describe metadata, its currency table). */
export interface CrmFacts {
  /** Decimal places per CRM field name (lower case). */
  scales: ReadonlyMap<string, number>;
  /** The CRM's exchange rates, when it keeps a currency table. */
  rates: RateTable | null;
}

export const NO_CRM_FACTS: CrmFacts = { scales: new Map(), rates: null };

const TEAM = z.array(z.strictObject({ name: z.string(), phone: z.string(), email: z.string() }));
const SOLUTIONS = z.array(z.strictObject({ id: z.string(), name: z.string(), kind: z.enum(SOLUTION_KINDS) }));
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const ok = (value: unknown): ReadResult => ({ ok: true, value });
const empty = (v: unknown): boolean => v === null || v === undefined || v === '';

export function buildCodec(kind: ConnectorKind, field: CosellField, spec: FieldMappingSpec, crm: CrmFacts = NO_CRM_FACTS): FieldCodec {
  const select = selectFields(kind, spec);
  const fail = (message: string, crmField = select[0] ?? ''): ReadResult => ({ ok: false, crmField, message });
  switch (spec.type) {
    case 'string':
      return stringCodec(spec, select, fail);
    case 'number':
    case 'boolean':
      return { select, read: (r) => readScalar(spec.type, getCrmValue(r, spec.crm), spec.default ?? null, fail), write: (v) => ({ [spec.crm]: v ?? null }) };
    case 'date':
    case 'datetime': {
      const cosellKind = COSELL_FIELDS[field].kind;
      return {
        select,
        read: (r) => readTemporal(getCrmValue(r, spec.crm), cosellKind === 'date', spec.default ?? null, fail),
        write: (v) => ({ [spec.crm]: typeof v === 'string' && spec.type === 'datetime' && DATE.test(v) ? `${v}T00:00:00.000Z` : (v ?? null) }),
      };
    }
    case 'picklist':
      return {
        select,
        read: (r) => {
          const raw = getCrmValue(r, spec.crm);
          const entry = Object.entries(spec.values).find(([, crm]) => !empty(raw) && String(crm) === String(raw));
          if (entry !== undefined) return ok(entry[0]);
          if (spec.default !== undefined) return ok(spec.default);
          return empty(raw) ? ok(null) : fail(`value ${JSON.stringify(raw)} has no entry in the value map`);
        },
        write: (v) => {
          const crm = typeof v === 'string' ? spec.values[v] : undefined;
          if (crm !== undefined) return { [spec.crm]: crm };
          if (spec.crmDefault !== undefined) return { [spec.crm]: spec.crmDefault };
          // An unmapped co-sell value is not written rather than blanking the CRM field.
          return v === null || v === undefined ? { [spec.crm]: null } : {};
        },
      };
    case 'json': {
      const shape = COSELL_FIELDS[field].kind === 'team' ? TEAM : SOLUTIONS;
      const write = (v: unknown): Record<string, unknown> => {
        if (v === null || v === undefined) return { [spec.crm]: null };
        const text = JSON.stringify(v);
        const length = textLength(text);
        if (spec.maxLength !== undefined && length > spec.maxLength) {
          throw new ValueRefusedError({ crmField: spec.crm, message: tooLongMessage(spec.crm, length, spec.maxLength, 'to-crm') });
        }
        return { [spec.crm]: text };
      };
      const read = (r: Record<string, unknown>): ReadResult => {
        const raw = getCrmValue(r, spec.crm);
        if (spec.maxLength !== undefined && typeof raw === 'string' && textLength(raw) > spec.maxLength) {
          return fail(tooLongMessage(spec.crm, textLength(raw), spec.maxLength, 'to-cosell'));
        }
        return readJson(raw, shape, fail);
      };
      return { select, read, write };
    }
    case 'lookup':
      return lookupCodec(kind, spec, select, fail);
    case 'money': {
      // The CRM's own metadata wins; the mapping's scale stands in where it is not known.
      const scale = crm.scales.get(spec.amount.toLowerCase()) ?? spec.scale ?? null;
      const rates = crm.rates ?? (spec.rates === undefined || spec.fixedCurrency === undefined ? null : { base: spec.fixedCurrency, rates: spec.rates });
      return moneyCodec(kind, spec, { select, fail, policy: { fixedCurrency: spec.fixedCurrency, scale, rates } });
    }
  }
}

/** maxLength both ways: a longer text is cut with an ellipsis or refused, per onTooLong. */
function stringCodec(spec: Extract<FieldMappingSpec, { type: 'string' }>, select: string[], fail: Fail): FieldCodec {
  const max = spec.maxLength;
  const truncate = spec.onTooLong === 'truncate';
  return {
    select,
    read: (r) => {
      const result = readScalar('string', getCrmValue(r, spec.crm), spec.default ?? null, fail);
      if (!result.ok || max === undefined || typeof result.value !== 'string' || textLength(result.value) <= max) return result;
      return truncate ? ok(truncateText(result.value, max)) : fail(tooLongMessage(spec.crm, textLength(result.value), max, 'to-cosell'));
    },
    write: (v) => {
      if (max === undefined || typeof v !== 'string' || textLength(v) <= max) return { [spec.crm]: v ?? null };
      if (truncate) return { [spec.crm]: truncateText(v, max) };
      throw new ValueRefusedError({ crmField: spec.crm, message: tooLongMessage(spec.crm, textLength(v), max, 'to-crm') });
    },
  };
}

type Fail = (message: string, crmField?: string) => ReadResult;

function readScalar(type: 'string' | 'number' | 'boolean', raw: unknown, fallback: unknown, fail: Fail): ReadResult {
  if (empty(raw)) return ok(fallback);
  if (type === 'string') return typeof raw === 'string' || typeof raw === 'number' ? ok(String(raw)) : fail(`expected text, got ${typeof raw}`);
  if (type === 'number') {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
    return Number.isFinite(n) ? ok(n) : fail(`expected a number, got ${JSON.stringify(raw)}`);
  }
  if (typeof raw === 'boolean') return ok(raw);
  if (raw === 'true' || raw === 'false') return ok(raw === 'true');
  return fail(`expected a boolean, got ${JSON.stringify(raw)}`);
}

function readTemporal(raw: unknown, dateOnly: boolean, fallback: unknown, fail: Fail): ReadResult {
  if (empty(raw)) return ok(fallback);
  if (typeof raw !== 'string') return fail(`expected a date, got ${JSON.stringify(raw)}`);
  if (dateOnly && DATE.test(raw)) return ok(raw);
  const time = Date.parse(raw);
  if (Number.isNaN(time)) return fail(`expected an ISO 8601 date, got ${JSON.stringify(raw)}`);
  const iso = new Date(time).toISOString();
  return ok(dateOnly ? iso.slice(0, 10) : iso);
}

function readJson(raw: unknown, shape: z.ZodType, fail: Fail): ReadResult {
  if (empty(raw)) return ok(null);
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      return fail('not valid JSON');
    }
  }
  const parsed = shape.safeParse(value);
  return parsed.success ? ok(parsed.data) : fail(`JSON does not have the expected shape (${parsed.error.issues[0]?.message ?? 'invalid'})`);
}

function lookupCodec(kind: ConnectorKind, spec: Extract<FieldMappingSpec, { type: 'lookup' }>, select: string[], fail: Fail): FieldCodec {
  const readName = select[0] ?? spec.crm;
  const read = (r: Record<string, unknown>): ReadResult => {
    const raw = getCrmValue(r, readName);
    if (empty(raw)) return ok(null);
    return typeof raw === 'string' ? ok(raw) : fail(`expected a record reference, got ${JSON.stringify(raw)}`);
  };
  const byId = spec.lookup.by === 'Id';
  if (kind === 'salesforce') {
    const relationship = salesforceRelationship(spec.crm);
    // Salesforce sets a reference through the related record's external id: {"Campaign": {"Ext__c": "x"}}.
    const write = (v: unknown): Record<string, unknown> =>
      byId || v === null || v === undefined ? { [spec.crm]: v ?? null } : { [relationship]: { [spec.lookup.by]: v } };
    return { select, read, write };
  }
  // Dataverse associates through `<nav>@odata.bind`: "/campaigns(<guid>)" or an alternate key "/campaigns(codename='x')".
  const entitySet = spec.lookup.entitySet ?? `${spec.lookup.object.toLowerCase()}s`;
  const write = (v: unknown): Record<string, unknown> => {
    if (v === null || v === undefined) return { [`${spec.crm}@odata.bind`]: null };
    const key = byId ? String(v) : `${spec.lookup.by}='${String(v).replace(/'/g, "''")}'`;
    return { [`${spec.crm}@odata.bind`]: `/${entitySet}(${key})` };
  };
  return { select, read, write };
}

interface MoneyCodecParts {
  select: string[];
  fail: Fail;
  policy: MoneyPolicy;
}

function moneyCodec(kind: ConnectorKind, spec: Extract<FieldMappingSpec, { type: 'money' }>, parts: MoneyCodecParts): FieldCodec {
  const { select, fail, policy } = parts;
  const currencyField = spec.currency;
  const readCurrency = (r: Record<string, unknown>): { ok: true; code: string } | { ok: false; message: string } => {
    if (spec.fixedCurrency !== undefined || currencyField === undefined) return { ok: true, code: spec.fixedCurrency ?? '' };
    const candidates: unknown[] = [];
    if (kind === 'dynamics') {
      const lookup = dataverseLookupValue(currencyField);
      candidates.push(r[`${lookup}${FORMATTED_VALUE}`], r[lookup]);
    }
    candidates.push(getCrmValue(r, currencyField));
    for (const c of candidates) {
      if (typeof c !== 'string' || c === '') continue;
      const code = /^[A-Z]{3}$/.test(c) ? c : spec.currencyValues?.[c];
      if (code !== undefined) return { ok: true, code };
    }
    const seen = candidates.find((c) => !empty(c));
    return { ok: false, message: seen === undefined ? 'no currency' : `currency ${JSON.stringify(seen)} has no ISO code (add it to currencyValues)` };
  };
  return {
    select,
    read: (r) => {
      const amount = getCrmValue(r, spec.amount);
      if (empty(amount)) return ok(null);
      if (typeof amount !== 'number' || !Number.isFinite(amount)) return fail(`expected an amount, got ${JSON.stringify(amount)}`, spec.amount);
      const currency = readCurrency(r);
      if (!currency.ok) return fail(currency.message, select[1] ?? spec.amount);
      if (spec.currencies !== undefined && !spec.currencies.includes(currency.code)) {
        return fail(`currency ${currency.code} is not one of ${spec.currencies.join(', ')}`, select[1] ?? spec.amount);
      }
      return ok({ amount, currency: currency.code });
    },
    write: (v) => {
      if (v === null || v === undefined) return { [spec.amount]: null };
      const held = moneyForCrm(policy, v as { amount: number; currency: string });
      if (!held.ok) throw new ValueRefusedError({ crmField: spec.amount, message: held.message });
      const money = held.money;
      // Dynamics: the connector turns the ISO code into transactioncurrencyid@odata.bind.
      return currencyField === undefined ? { [spec.amount]: money.amount } : { [spec.amount]: money.amount, [currencyField]: money.currency };
    },
  };
}
