/**
 * zod 4 issues turned into located configuration issues with short, uniform messages:
 * `required`, `expected number, got string`, `expected one of flag, enforce`,
 * `unknown key "pageSzie" (did you mean "pageSize"?)`.
 */
import { z } from 'zod';
import { didYouMean, type ConfigIssue, type IssuePath } from './issues';
import type { YamlSource } from './yaml-source';

const KNOWN_KEYS = '\u0000known:';

/** An error setting that makes an unknown-key issue remember the known keys, for the "did you mean" hint. */
export function knownKeys(keys: readonly string[]): { error: (iss: { code?: string }) => string | undefined } {
  const known = JSON.stringify(keys);
  return { error: (iss) => (iss.code === 'unrecognized_keys' ? `${KNOWN_KEYS}${known}` : undefined) };
}

/** A strict object (unknown keys are errors) whose unknown-key issue names the known keys. */
export function strictObject<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.strictObject(shape, knownKeys(Object.keys(shape)));
}

/** The value at a path of plain data; undefined when absent. */
export function valueAt(data: unknown, path: IssuePath): unknown {
  let value = data;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `string "${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`;
  return `${typeof value} ${String(value)}`;
}

/** Parses `value` (found at `prefix` in `source`) with `schema`; returns the data or the issues. */
export function parseAt<S extends z.ZodType>(
  schema: S,
  value: unknown,
  source: YamlSource,
  prefix: IssuePath,
): { ok: true; data: z.output<S> } | { ok: false; issues: ConfigIssue[] } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, issues: result.error.issues.flatMap((i) => convertIssue(i, value, source, prefix)) };
}

function convertIssue(issue: z.core.$ZodIssue, root: unknown, source: YamlSource, prefix: IssuePath): ConfigIssue[] {
  const local = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const path = [...prefix, ...local];
  const value = valueAt(root, local);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = issue.message.startsWith(KNOWN_KEYS) ? (JSON.parse(issue.message.slice(KNOWN_KEYS.length)) as string[]) : [];
      return issue.keys.map((key) => source.issue([...path, key], `unknown key "${key}"${didYouMean(key, known)}`, true));
    }
    case 'invalid_type':
      return [source.issue(path, value === undefined ? 'required' : `expected ${issue.expected}, got ${typeName(value)}`)];
    case 'invalid_value': {
      const hint = typeof value === 'string' ? didYouMean(value, issue.values.map(String)) : '';
      return [source.issue(path, `expected one of ${issue.values.map(String).join(', ')}${hint}`)];
    }
    case 'too_small':
      if (Number(issue.minimum) === 1 && (issue.origin === 'string' || issue.origin === 'array')) return [source.issue(path, 'must not be empty')];
      return [source.issue(path, issue.message)];
    default:
      return [source.issue(path, issue.message)];
  }
}
