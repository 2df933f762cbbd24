/** Values as the console shows them: plain strings the templates escape, never markup. */

export const EMPTY = '—';

/** A stored value as text: strings as they are, the rest as compact JSON. */
export function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return EMPTY;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value, null, 1);
}

export function age(seconds: number | null): string {
  if (seconds === null) return EMPTY;
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export interface FieldChange {
  field: string;
  before: string;
  after: string;
}

/** Top-level fields whose value differs between two versions of a record. */
export function changedFields(before: object | null, after: object | null): FieldChange[] {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
  return keys.filter((k) => !same(b[k], a[k])).map((k) => ({ field: k, before: show(b[k]), after: show(a[k]) }));
}

/** Base, CRM and co-sell values of a conflict, with which side moved away from the base. */
export function conflictSides(c: { base: unknown; crmValue: unknown; cosellValue: unknown }) {
  return {
    base: show(c.base),
    crm: show(c.crmValue),
    cosell: show(c.cosellValue),
    crmChanged: !same(c.base, c.crmValue),
    cosellChanged: !same(c.base, c.cosellValue),
    sidesDiffer: !same(c.crmValue, c.cosellValue),
  };
}

/** A query parameter as one string (the first when repeated). */
export function param(query: unknown, name: string): string | undefined {
  if (typeof query !== 'object' || query === null) return undefined;
  const value = (query as Record<string, unknown>)[name];
  if (typeof value === 'string') return value;
  return Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
}
