/**
 * Configuration issues: every problem found in the daemon configuration or a mapping file, with the
 * file, line, column and key path it concerns, so that `config validate` can list them all at once.
 */
import { ConfigError } from '../errors';

export type IssuePath = readonly (string | number)[];

export interface ConfigIssue {
  file: string;
  /** 1-based; 0 when the issue concerns the whole file (e.g. it cannot be read). */
  line: number;
  column: number;
  /** Dotted key path (`connectors[0].auth.clientSecret`); empty for the whole file. */
  path: string;
  message: string;
}

export function formatPath(path: IssuePath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  return issue.path === '' ? `${where} ${issue.message}` : `${where} ${issue.path}: ${issue.message}`;
}

/** Issues sorted by file, then position, as a reader scans them. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

/** Thrown by loadConfig / loadMapping: carries every issue, and lists them in its message. */
export class ConfigValidationError extends ConfigError {
  override name = 'ConfigValidationError';
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    const sorted = sortIssues(issues);
    super(`invalid configuration (${sorted.length} issue${sorted.length === 1 ? '' : 's'}):\n${sorted.map(formatIssue).join('\n')}`);
    this.issues = sorted;
  }
}

/** Levenshtein distance, two rows: names are short, this stays cheap. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((row[j - 1] ?? 0) + 1, (prev[j] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** The closest candidate, when it is close enough to be a typo (case differences count as close). */
export function closestName(name: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = candidate.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  return best !== null && bestDistance <= limit ? best : null;
}

export function didYouMean(name: string, candidates: readonly string[]): string {
  const hint = closestName(name, candidates);
  return hint === null ? '' : ` (did you mean "${hint}"?)`;
}
