/** Salesforce rows → CrmRecord (provider field names; parent paths such as Account.Name flattened). */
import type { CrmRecord } from '../../src/ports/connector';

function readPath(row: Record<string, unknown>, path: string): unknown {
  let current: unknown = row;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null) return null;
    const obj = current as Record<string, unknown>;
    const key = Object.keys(obj).find((k) => k.toLowerCase() === part.toLowerCase());
    current = key === undefined ? null : obj[key];
  }
  return current ?? null;
}

export function toCrmRecord(row: Record<string, unknown>, fields: readonly string[]): CrmRecord {
  const out: Record<string, unknown> = {};
  for (const f of fields) out[f] = readPath(row, f);
  const stamp = row['LastModifiedDate'] ?? row['SystemModstamp'];
  return { id: idOf(row), fields: out, version: String(row['SystemModstamp'] ?? ''), modifiedAt: typeof stamp === 'string' && stamp !== '' ? stamp : null };
}

/** `Id`, or, for a row selected without it, the last segment of `attributes.url`. */
function idOf(row: Record<string, unknown>): string {
  if (typeof row['Id'] === 'string') return row['Id'];
  const url = (row['attributes'] as { url?: unknown } | undefined)?.url;
  return typeof url === 'string' ? (url.split('/').pop() ?? '') : '';
}

/** The select list: mapped fields plus Id and SystemModstamp, without case-insensitive duplicates. */
export function selectList(fields: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const f of [...fields, 'Id', 'SystemModstamp']) {
    if (seen.has(f.toLowerCase())) continue;
    seen.add(f.toLowerCase());
    out.push(f);
  }
  return out;
}
