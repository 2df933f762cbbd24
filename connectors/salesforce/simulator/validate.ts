/**
 * Per-record checks a real org runs on insert/update, in its order: field existence and
 * access, types and lengths, restricted picklists, required fields, then validation rules
 * (FIELD_CUSTOM_VALIDATION_EXCEPTION with the rule's message).
 */
import type { SfField, SfObject } from './schema';
import type { StoredRecord } from './soql/evaluate';

export interface SfRecordError {
  statusCode: string;
  message: string;
  fields: string[];
}

export interface ValidationRule {
  id: number;
  object: string;
  /** Sees the record as it would be saved (canonical field names, datetimes as epoch ms). */
  when: (record: Readonly<Record<string, unknown>>) => boolean;
  message: string;
  fields: string[];
  /** How many more times the rule fires; null = always. */
  remaining: number | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function checkValue(f: SfField, v: unknown): SfRecordError | null {
  if (v === null) return null;
  const bad = (what: string): SfRecordError => ({ statusCode: 'INVALID_TYPE_ON_FIELD_IN_RECORD', message: `${f.label}: value not of required type: ${what}`, fields: [f.name] });
  switch (f.type) {
    case 'boolean':
      return typeof v === 'boolean' ? null : bad(String(v));
    case 'currency':
    case 'double':
    case 'percent':
      return typeof v === 'number' && Number.isFinite(v) ? null : bad(String(v));
    case 'date':
      return typeof v === 'string' && DATE.test(v) && !Number.isNaN(Date.parse(v)) ? null : bad(String(v));
    case 'datetime':
      return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? null : bad(String(v));
    default:
      if (typeof v !== 'string') return bad(String(v));
      if (f.length && f.type !== 'picklist' && v.length > f.length) {
        return { statusCode: 'STRING_TOO_LONG', message: `${f.label}: data value too large: ${v.slice(0, 20)}... (max length=${f.length})`, fields: [f.name] };
      }
      if (f.picklist && !f.picklist.includes(v)) {
        return { statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', message: `${f.label}: bad value for restricted picklist field: ${v}`, fields: [f.name] };
      }
      return null;
  }
}

/** An org keeps a number field at its scale, rounding half up on save (e.g. currency(16,2): 1234.565 -> 1234.57). */
function roundHalfUp(v: number, scale: number): number {
  const sign = v < 0 ? -1 : 1;
  const text = String(Math.abs(v));
  // Past 2^52 a double has no fractional digits left to round.
  if (Math.abs(v) >= 2 ** 52) return v;
  if (text.includes('e')) {
    // No plain decimal text to shift (1e21, 1e-7): round arithmetically; past the float range, unchanged.
    const rounded = Math.round(Math.abs(v) * 10 ** scale) / 10 ** scale;
    return Number.isFinite(rounded) ? sign * rounded : v;
  }
  return sign * Number(`${Math.round(Number(`${text}e${scale}`))}e-${scale}`);
}

/** Maps incoming JSON to canonical field names; reports the first problem as Salesforce does. */
export function normaliseInput(obj: SfObject, input: Record<string, unknown>, isCreate: boolean): { values: Record<string, unknown> } | { error: SfRecordError } {
  const values: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(input)) {
    if (key === 'attributes' || (key.toLowerCase() === 'id' && !isCreate)) continue;
    const f = obj.byLower.get(key.toLowerCase());
    if (!f) return { error: { statusCode: 'INVALID_FIELD', message: `No such column '${key}' on sobject of type ${obj.name}`, fields: [] } };
    if (isCreate ? !f.createable : !f.updateable) {
      return { error: { statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', message: `Unable to create/update fields: ${f.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`, fields: [f.name] } };
    }
    const v = raw === '' ? null : raw;
    const err = checkValue(f, v);
    if (err) return { error: err };
    values[f.name] = typeof v === 'number' && f.scale !== undefined ? roundHalfUp(v, f.scale) : v;
  }
  return { values };
}

export function checkRequired(obj: SfObject, merged: Record<string, unknown>): SfRecordError | null {
  const missing = obj.fields.filter((f) => f.required && (merged[f.name] === null || merged[f.name] === undefined)).map((f) => f.name);
  return missing.length > 0 ? { statusCode: 'REQUIRED_FIELD_MISSING', message: `Required fields are missing: [${missing.join(', ')}]`, fields: missing } : null;
}

export function runRules(rules: ValidationRule[], obj: SfObject, merged: StoredRecord): SfRecordError | null {
  for (const rule of rules) {
    if (rule.object.toLowerCase() !== obj.name.toLowerCase() || rule.remaining === 0) continue;
    if (!rule.when(merged)) continue;
    if (rule.remaining !== null) rule.remaining -= 1;
    return { statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: rule.message, fields: rule.fields };
  }
  return null;
}
