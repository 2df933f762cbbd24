/** Value helpers for the merge: canonical equality of mapped co-sell values. */
import { v5 as uuidV5 } from 'uuid';

/** JSON with sorted keys, so that equal values compare equal whatever their key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value === undefined ? null : value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as Record<string, unknown>).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function sameValue(a: unknown, b: unknown): boolean {
  const x = normalizeEmpty(a);
  const y = normalizeEmpty(b);
  // Two scalars compare as their JSON would (no text built for them); only objects and arrays need the canonical form.
  if (isScalar(x) && isScalar(y)) return asJsonScalar(x) === asJsonScalar(y);
  return jsonEqual(x, y);
}

/**
 * Whether two values have the same canonical JSON (`canonical(a) === canonical(b)`), compared in
 * place: keys in any order, keys holding undefined absent, numbers that are not finite as null.
 */
function jsonEqual(a: unknown, b: unknown): boolean {
  const x = a === undefined ? null : a;
  const y = b === undefined ? null : b;
  if (isScalar(x) || isScalar(y)) return isScalar(x) && isScalar(y) && asJsonScalar(x) === asJsonScalar(y);
  if (typeof x !== 'object' || typeof y !== 'object' || hasToJson(x) || hasToJson(y)) return canonical(x) === canonical(y);
  if (Array.isArray(x) || Array.isArray(y)) {
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
    // JSON writes an undefined array element as null.
    for (let i = 0; i < x.length; i += 1) if (!jsonEqual(x[i], y[i])) return false;
    return true;
  }
  const xo = x as Record<string, unknown>;
  const yo = y as Record<string, unknown>;
  let count = 0;
  for (const key of Object.keys(xo)) {
    const v = xo[key];
    if (v === undefined) continue;
    count += 1;
    if (!Object.prototype.hasOwnProperty.call(yo, key) || yo[key] === undefined || !jsonEqual(v, yo[key])) return false;
  }
  for (const key of Object.keys(yo)) if (yo[key] !== undefined) count -= 1;
  return count === 0;
}

const hasToJson = (v: object | null): boolean => typeof (v as { toJSON?: unknown } | null)?.toJSON === 'function';

/** JSON writes a number that is not finite as null. */
const asJsonScalar = (v: string | number | boolean | null): string | number | boolean | null => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
const isScalar = (v: unknown): v is string | number | boolean | null => v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** An empty string and null mean the same thing to a CRM field. */
function normalizeEmpty(value: unknown): unknown {
  return value === '' || value === undefined ? null : value;
}

/**
 * A deterministic UUID v5 from a name: the same CRM record always gets the same co-sell id. The
 * ids already issued are SHA-1 of `cosell-sync:<name>`; a v5 UUID is SHA-1 of namespace bytes then
 * name bytes, so the first 16 bytes of that text serve as the namespace and the rest as the name,
 * which keeps every existing id unchanged.
 */
export function uuidFromName(name: string): string {
  const bytes = Buffer.from(`cosell-sync:${name}`, 'utf8');
  if (bytes.length < 16) throw new RangeError(`a co-sell id needs a name of at least 4 bytes, got "${name}"`);
  return uuidV5(bytes.subarray(16), Uint8Array.from(bytes.subarray(0, 16)));
}
