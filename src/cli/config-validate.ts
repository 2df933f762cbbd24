/**
 * `cosell-sync config validate [--config FILE]`: every issue of the configuration and of every
 * mapping file it names, each as `file:line:column path: message`; on success, what syncs where.
 * The caller prints and decides the exit code (1 when not ok).
 */
import { analyzeConfig } from '../config/load';
import { formatIssue, type ConfigIssue } from '../config/issues';
import { summarizeConfig } from '../config/summary';
import type { ObjectMetadata } from '../ports/connector';

export interface ValidateOptions {
  env?: NodeJS.ProcessEnv;
  /** Field metadata per connector name, from each connector's describe(). */
  metadata?: ReadonlyMap<string, ObjectMetadata>;
}

export interface ValidateResult {
  ok: boolean;
  errors: ConfigIssue[];
  /** The issues, one a line, or the table of what syncs where. */
  summary: string;
}

export function validateConfigFile(file: string, opts: ValidateOptions = {}): ValidateResult {
  const analysis = analyzeConfig(file, { env: opts.env ?? process.env, ...(opts.metadata ? { metadata: opts.metadata } : {}) });
  if (analysis.loaded === null) {
    const n = analysis.issues.length;
    return { ok: false, errors: analysis.issues, summary: [...analysis.issues.map(formatIssue), `${n} error${n === 1 ? '' : 's'} in ${file}`].join('\n') };
  }
  return { ok: true, errors: [], summary: `${file} is valid.\n${summarizeConfig(analysis.loaded, analysis.mappingFiles)}` };
}
