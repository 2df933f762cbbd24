/**
 * Dataverse failures -> ConnectorError. The body is `{"error":{"code":"0x8004…","message":"…"}}`
 * whose code is unrelated to the HTTP status (Web API "Parse errors from the response"); the code
 * and message are kept as `crmCode` and `message`.
 */
import { ConnectorError, type ConnectorErrorCode } from '../../src/errors';

/** Service protection API limits ("Service protection API limits", Dataverse). */
export const SERVICE_PROTECTION_CODES = ['0x80072322', '0x80072321', '0x80072326'] as const;
/** ExpiredVersionStamp: the change-tracking token is older than the org keeps changes. */
export const EXPIRED_VERSION_STAMP = '0x80044352';

export interface DataverseErrorBody {
  code: string;
  message: string;
}

export function readErrorBody(text: string): DataverseErrorBody | null {
  try {
    const value = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const e = value.error;
    if (e && typeof e === 'object') return { code: typeof e.code === 'string' ? e.code : '', message: typeof e.message === 'string' ? e.message : '' };
  } catch {
    // not JSON: handled by the caller through the status alone
  }
  return null;
}

/** Retry-After is seconds (Dataverse sends an integer); an HTTP date is accepted too. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const isCursorError = (status: number, body: DataverseErrorBody | null): boolean =>
  status === 400 &&
  body !== null &&
  (body.code === EXPIRED_VERSION_STAMP || /version stamp|delta ?token/i.test(body.message));

export function parseDataverseError(params: { status: number; body: string; retryAfter?: string | null | undefined; operation: string }): ConnectorError {
  const { status, operation } = params;
  const body = readErrorBody(params.body);
  const crmCode = body?.code ?? null;
  const detail = body?.message || `HTTP ${status}`;
  const make = (code: ConnectorErrorCode, retryable: boolean, extra: { retryAfterMs?: number } = {}): ConnectorError =>
    new ConnectorError({ code, message: `${operation}: ${detail}`, retryable, crmCode, httpStatus: status, ...extra });
  const throttled = crmCode !== null && (SERVICE_PROTECTION_CODES as readonly string[]).includes(crmCode);
  if (status === 429 || throttled) {
    const wait = retryAfterMs(params.retryAfter);
    return make('rate_limited', true, wait === undefined ? {} : { retryAfterMs: wait });
  }
  if (status === 401 || status === 403) return make('auth', false);
  if (status === 404) return make('not_found', false);
  if (status === 412) return make('conflict', false);
  if (isCursorError(status, body)) return make('cursor_expired', false);
  if (status === 400 || status === 422 || status === 413) return make('validation', false);
  if (status >= 500 || status === 408) return make('transient', true);
  return make('unknown', false);
}

/** Network failures (reset, refused, timeout) are worth another attempt. */
export function networkError(operation: string, cause: unknown): ConnectorError {
  const reason = cause instanceof Error ? ((cause.cause as { code?: string } | undefined)?.code ?? cause.message) : String(cause);
  return new ConnectorError({ code: 'transient', message: `${operation}: network failure (${reason})`, retryable: true, cause });
}

/**
 * An update refused because the row is closed: Dataverse keeps Won and Lost opportunities
 * read-only until they are reopened. Recognised by its message (the code is a generic one).
 */
export function isClosedRecordError(error: ConnectorError): boolean {
  return error.httpStatus === 400 && /\b(closed|inactive)\b[^.]*\bcannot be (edited|updated|modified)\b/i.test(error.message);
}
