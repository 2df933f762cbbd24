/**
 * Why a store could not be opened, in an operator's words: a PostgreSQL that is not there, a
 * database that does not exist or refused credentials are not "migration failed". The URL is
 * shown without its password.
 */
import { StateError } from '../errors';
import type { StoreConfig } from './create-store';

/** Node network codes and PostgreSQL SQLSTATEs of a server that cannot be reached or used. */
const REASONS: Record<string, string> = {
  ECONNREFUSED: 'is unreachable (connection refused)',
  ENOTFOUND: 'is unreachable (unknown host)',
  EAI_AGAIN: 'is unreachable (host name lookup failed)',
  ETIMEDOUT: 'is unreachable (connection timed out)',
  EHOSTUNREACH: 'is unreachable (no route to host)',
  ECONNRESET: 'closed the connection',
  '3D000': 'has no such database',
  '28P01': 'refused the credentials (password authentication failed)',
  '28000': 'refused the connection (authorization failed)',
  '57P03': 'is starting up or shutting down',
};

function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  for (let e: unknown = error, depth = 0; e !== null && e !== undefined && depth < 5; depth += 1) {
    const { code, errors, cause } = e as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof code === 'string') codes.push(code);
    // Node reports a refused dual-stack connect as an AggregateError of one error per address.
    if (Array.isArray(errors)) for (const inner of errors) codes.push(...codesOf(inner));
    e = cause;
  }
  return codes;
}

/** `host:port/database` of a postgres:// URL, never its user or password. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

/** A clear StateError for a store that did not open, or the error itself when it is something else. */
export function storeOpenError(config: StoreConfig, error: unknown): unknown {
  if (config.kind !== 'postgres') return error;
  const code = codesOf(error).find((c) => c in REASONS);
  if (code === undefined) return error;
  return new StateError(`PostgreSQL store at ${describePostgresUrl(config.url)} ${REASONS[code] ?? ''} [${code}]`, error);
}
