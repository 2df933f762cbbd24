/**
 * Secrets by `${ENV}` reference only (architecture.md, Configuration). A secret-bearing key must hold
 * nothing but a reference; a PostgreSQL URL may carry its password only as a reference. References
 * are resolved from the given environment; a missing variable is reported by name.
 */
import type { ConfigIssue, IssuePath } from './issues';
import type { YamlSource } from './yaml-source';

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const WHOLE_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;
const SECRET_KEY = /secret|token|password|passwd/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Returns a copy of `data` with every reference resolved, and the issues found on the way. */
export function resolveEnv(data: unknown, env: NodeJS.ProcessEnv, source: YamlSource): { data: unknown; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const walk = (value: unknown, path: IssuePath): unknown => {
    if (typeof value === 'string') return resolveString(value, path);
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        checkSecret(key, v, [...path, key]);
        out[key] = walk(v, [...path, key]);
      }
      return out;
    }
    return value;
  };
  const resolveString = (value: string, path: IssuePath): string =>
    value.replace(REFERENCE, (_match, name: string) => {
      const resolved = env[name];
      if (resolved === undefined) {
        issues.push(source.issue(path, `environment variable ${name} is not set`));
        // Kept as written, so that the rest of the checks see a plausible value and add no noise.
        return `\${${name}}`;
      }
      return resolved;
    });
  const checkSecret = (key: string, value: unknown, path: IssuePath): void => {
    if (typeof value !== 'string') return;
    if (isSecretKey(key) && !WHOLE_REFERENCE.test(value.trim())) {
      issues.push(source.issue(path, `literal secret refused: write an environment reference such as \${${envNameFor(key)}}`));
      return;
    }
    if (/^postgres(ql)?:\/\//i.test(value) && hasLiteralPassword(value)) {
      issues.push(source.issue(path, 'literal password in PostgreSQL URL refused: write it as ${ENV} or reference the whole URL'));
    }
  };
  const resolved = walk(data, []);
  return { data: resolved, issues };
}

function hasLiteralPassword(url: string): boolean {
  const match = /^[a-z]+:\/\/([^@/]*)@/i.exec(url);
  const userInfo = match?.[1];
  if (userInfo === undefined) return false;
  const colon = userInfo.indexOf(':');
  if (colon < 0) return false;
  const password = userInfo.slice(colon + 1);
  return password !== '' && !WHOLE_REFERENCE.test(password);
}

function envNameFor(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}
