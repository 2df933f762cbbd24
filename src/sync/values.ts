/** Value helpers for the merge: canonical equality of mapped co-sell values. */

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
  return canonical(normalizeEmpty(a)) === canonical(normalizeEmpty(b));
}

/** An empty string and null mean the same thing to a CRM field. */
function normalizeEmpty(value: unknown): unknown {
  return value === '' || value === undefined ? null : value;
}

/** A deterministic UUID (v5 layout) from a name: the same CRM record always gets the same co-sell id. */
export function uuidFromName(hash: (input: string) => string, name: string): string {
  const hex = hash(`cosell-sync:${name}`).slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}
