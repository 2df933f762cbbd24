/** Salesforce rows → CrmRecord (provider field names; parent paths such as Account.Name flattened). */
import { createHash } from 'node:crypto';
import type { CrmRecord } from '../../src/ports/connector';

function readPath(row: Record<string, unknown>, path: string): unknown {
  let current: unknown = row;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null) return null;
    const obj = current as Record<string, unknown>;
    // The name as selected is the name the org answers with, almost always: the case-blind search is the fallback.
    if (Object.prototype.hasOwnProperty.call(obj, part)) {
      current = obj[part];
      continue;
    }
    const lower = part.toLowerCase();
    const key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
    current = key === undefined ? null : obj[key];
  }
  return current ?? null;
}

export function toCrmRecord(row: Record<string, unknown>, fields: readonly string[]): CrmRecord {
  const out: Record<string, unknown> = {};
  for (const f of fields) out[f] = readPath(row, f);
  const stamp = row['LastModifiedDate'] ?? row['SystemModstamp'];
  return { id: idOf(row), fields: out, version: makeVersion(String(row['SystemModstamp'] ?? ''), fields, valueMap(out)), modifiedAt: typeof stamp === 'string' && stamp !== '' ? stamp : null };
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

/**
 * A record's version: its SystemModstamp, then `#`, the key of the field list read and a hash of
 * the values read. An org stamps whole seconds, so two edits within one second share a stamp; the
 * hash tells them apart wherever a version is compared (the stale check before an update, and the
 * overlap a read skips). Versions without `#` (stamp only) are still understood.
 */
const FIELD_LISTS = new Map<string, readonly string[]>();

/** The hashed fields: those read, without Id and SystemModstamp, lower-cased, sorted, once each. */
function hashedFields(fields: readonly string[]): string[] {
  return [...new Set(fields.map((f) => f.toLowerCase()).filter((f) => f !== 'id' && f !== 'systemmodstamp'))].sort();
}

/** Text of a value as read: REST JSON values and Bulk CSV values typed by describe give the same text. */
function canonical(value: unknown): string {
  if (value === null || value === undefined) return '\u0000';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const digest = (text: string, length: number): string => createHash('sha256').update(text).digest('hex').slice(0, length);

/** The key of a field list (8 hex digits); the list is kept so that a version can be checked later. */
export function fieldListKey(fields: readonly string[]): string {
  const list = hashedFields(fields);
  const key = digest(list.join(','), 8);
  FIELD_LISTS.set(key, list);
  return key;
}

/** The fields a version's hash covers, when a read in this process produced that list. */
export function fieldsOfKey(key: string): readonly string[] | undefined {
  return FIELD_LISTS.get(key);
}

/** `values` by field name (any case). */
export function valuesHash(key: string, values: ReadonlyMap<string, unknown>): string {
  const list = FIELD_LISTS.get(key) ?? [];
  return digest(list.map((f) => `${f}=${canonical(values.get(f))}`).join('\u0001'), 12);
}

export function makeVersion(stamp: string, fields: readonly string[], values: ReadonlyMap<string, unknown>): string {
  if (stamp === '') return '';
  const key = fieldListKey(fields);
  return `${stamp}#${key}${valuesHash(key, values)}`;
}

export interface ParsedVersion {
  stamp: string;
  /** Absent for a stamp-only version. */
  key?: string;
  hash?: string;
}

export function parseVersion(version: string): ParsedVersion {
  const at = version.indexOf('#');
  if (at < 0) return { stamp: version };
  const tail = version.slice(at + 1);
  return { stamp: version.slice(0, at), key: tail.slice(0, 8), hash: tail.slice(8) };
}

/** Lower-cased field name -> value, for a flattened record's fields. */
export function valueMap(fields: Record<string, unknown>): Map<string, unknown> {
  return new Map(Object.entries(fields).map(([k, v]) => [k.toLowerCase(), v]));
}
