/**
 * Values the store or a CRM cannot hold. PostgreSQL text refuses U+0000 (SQLite keeps it), an
 * unpaired UTF-16 surrogate cannot be encoded as UTF-8 (SQLite silently replaces it with U+FFFD, so
 * the value would come back changed), and numbers past 2^53 are no longer exact in JSON or in
 * JavaScript. Such a record becomes a dead letter naming the field, never the value.
 */

/** Longest text kept, in UTF-16 code units: Salesforce's largest Long Text Area holds 131,072 characters. */
export const MAX_TEXT_LENGTH = 131_072;

function stringProblem(value: string): string | null {
  if (value.length > MAX_TEXT_LENGTH) return `is ${value.length} characters long; at most ${MAX_TEXT_LENGTH} are kept`;
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code === 0) return `contains a NUL character (U+0000) at position ${i}`;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i += 1;
        continue;
      }
      return `contains an unpaired UTF-16 surrogate at position ${i}`;
    }
    if (code >= 0xdc00 && code <= 0xdfff) return `contains an unpaired UTF-16 surrogate at position ${i}`;
  }
  return null;
}

function numberProblem(value: number): string | null {
  if (!Number.isFinite(value)) return 'is not a finite number';
  if (Math.abs(value) > Number.MAX_SAFE_INTEGER) return `is out of range (larger in magnitude than ${Number.MAX_SAFE_INTEGER})`;
  return null;
}

/** What is wrong with one value (nested arrays and objects included, keys too), or null. */
export function valueProblem(value: unknown, depth = 0): string | null {
  if (typeof value === 'string') return stringProblem(value);
  if (typeof value === 'number') return numberProblem(value);
  if (value === null || typeof value !== 'object') return null;
  if (depth > 32) return 'is nested more than 32 levels deep';
  for (const [key, inner] of Object.entries(value)) {
    const keyProblem = stringProblem(key);
    if (keyProblem !== null) return `has a key that ${keyProblem}`;
    const innerProblem = valueProblem(inner, depth + 1);
    if (innerProblem !== null) return Array.isArray(value) ? `item ${key} ${innerProblem}` : `key "${key}" ${innerProblem}`;
  }
  return null;
}

/** The first field of `fields` (among `names`) whose value cannot be held, with the reason; null when all can. */
export function unholdableField(fields: Readonly<Record<string, unknown>>, names: readonly string[]): string | null {
  for (const name of names) {
    if (!Object.prototype.hasOwnProperty.call(fields, name)) continue;
    const problem = valueProblem(fields[name]);
    if (problem !== null) return `field ${name} ${problem}`;
  }
  return null;
}
