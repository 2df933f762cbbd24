/**
 * One error hierarchy (style.md §2.4). Every failure that crosses a boundary is a SyncError with a
 * `code`, whether it is `retryable`, an optional `retryAfterMs` and the original `cause`.
 */

export const CONNECTOR_ERROR_CODES = [
  'auth',
  'rate_limited',
  'not_found',
  'conflict',
  'validation',
  'cursor_expired',
  'transient',
  'unknown',
  /** A delegated (app + user) grant expired or was revoked: someone has to sign in again. */
  'grant_expired',
] as const;
export type ConnectorErrorCode = (typeof CONNECTOR_ERROR_CODES)[number];

export type SyncErrorCode = ConnectorErrorCode | 'config' | 'state' | 'stale_version' | 'rule';

export class SyncError extends Error {
  override name = 'SyncError';
  readonly code: SyncErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  constructor(params: { code: SyncErrorCode; message: string; retryable?: boolean; retryAfterMs?: number; cause?: unknown }) {
    super(params.message, params.cause === undefined ? undefined : { cause: params.cause });
    this.code = params.code;
    this.retryable = params.retryable ?? false;
    this.retryAfterMs = params.retryAfterMs;
  }
}

/** A failure reported by a CRM: `crmCode` and `fields` are the CRM's own (statusCode, 0x8004... ). */
export class ConnectorError extends SyncError {
  override name = 'ConnectorError';
  readonly crmCode: string | null;
  readonly fields: readonly string[];
  readonly httpStatus: number | null;
  constructor(params: {
    code: ConnectorErrorCode;
    message: string;
    retryable?: boolean;
    retryAfterMs?: number;
    cause?: unknown;
    crmCode?: string | null;
    fields?: readonly string[];
    httpStatus?: number | null;
  }) {
    super(params);
    this.crmCode = params.crmCode ?? null;
    this.fields = params.fields ?? [];
    this.httpStatus = params.httpStatus ?? null;
  }
}

/**
 * A delegated grant (e.g. Partner Center's app + user sign-in) can no longer give tokens: it
 * expired, was revoked, or nobody signed in. Not retryable: the message says how to sign in again.
 */
export class GrantExpiredError extends ConnectorError {
  override name = 'GrantExpiredError';
  /** Which grant (e.g. `partner-center`). */
  readonly grant: string;
  /** The sign-in that expired; null when none is stored. */
  readonly grantId: string | null;
  /** What happened, short (`expired or was revoked (invalid_grant: AADSTS50173: ...)`); the message adds how to sign in again. */
  readonly reason: string;
  constructor(params: { grant: string; grantId: string | null; message: string; reason?: string; cause?: unknown }) {
    super({ code: 'grant_expired', message: params.message, retryable: false, cause: params.cause });
    this.grant = params.grant;
    this.grantId = params.grantId;
    this.reason = params.reason ?? params.message;
  }
}

export const isGrantExpiredError = (error: unknown): error is GrantExpiredError => error instanceof GrantExpiredError;

export class ConfigError extends SyncError {
  override name = 'ConfigError';
  constructor(message: string, cause?: unknown) {
    super({ code: 'config', message, retryable: false, cause });
  }
}

export class StateError extends SyncError {
  override name = 'StateError';
  constructor(message: string, cause?: unknown) {
    super({ code: 'state', message, retryable: false, cause });
  }
}

/** A write based on an older version of a record than the one stored: refused, never merged silently. */
export class StaleVersionError extends SyncError {
  override name = 'StaleVersionError';
  readonly expected: number;
  readonly actual: number;
  constructor(params: { entity: string; id: string; expected: number; actual: number }) {
    super({
      code: 'stale_version',
      message: `${params.entity} ${params.id} is at version ${params.actual}, not ${params.expected}: re-read and retry`,
      retryable: true,
    });
    this.expected = params.expected;
    this.actual = params.actual;
  }
}

export const isSyncError = (e: unknown): e is SyncError => e instanceof SyncError;
export const isConnectorError = (e: unknown): e is ConnectorError => e instanceof ConnectorError;

/** Always an Error, with the original kept as `cause`. */
export function coerceError(value: unknown): Error {
  if (value instanceof Error) return value;
  const text = typeof value === 'string' ? value : safeStringify(value);
  return new Error(text, { cause: value });
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
