/**
 * Partner API failures -> ConnectorError. The body is `{"error":{"code","message","target"}}`
 * with codes such as accessDenied, itemNotFound, preconditionFailed, resourceModified,
 * serviceNotAvailable (https://learn.microsoft.com/en-us/partner-center/developer/error-codes).
 * 429 carries Retry-After in seconds (api-throttling-guidance).
 */
import { ConnectorError, type ConnectorErrorCode } from '../../src/errors';

export function readErrorBody(body: unknown): { code: string; message: string } | null {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  // The Partner Center API (api.partnercenter.microsoft.com, e.g. profiles/mpn) answers
  // `{"code":3000,"description":"…","data":[],"source":"PartnerFD"}` (get-partner-by-mpn-id).
  const flat = value as { code?: unknown; description?: unknown } | null;
  if (flat && typeof flat === 'object' && typeof flat.description === 'string' && (typeof flat.code === 'number' || typeof flat.code === 'string')) {
    return { code: String(flat.code), message: flat.description };
  }
  const e = (value as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (!e || typeof e !== 'object') return null;
  return { code: typeof e.code === 'string' ? e.code : '', message: typeof e.message === 'string' ? e.message : '' };
}

/** Seconds, or an HTTP date. */
export function retryAfterMs(header: unknown, now = Date.now()): number | undefined {
  if (typeof header !== 'string' || header === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function parsePartnerError(params: { status: number; body: unknown; retryAfter?: unknown; operation: string }): ConnectorError {
  const { status, operation } = params;
  const body = readErrorBody(params.body);
  const crmCode = body?.code || null;
  const detail = body?.message || `HTTP ${status}`;
  const make = (code: ConnectorErrorCode, retryable: boolean, extra: { retryAfterMs?: number } = {}): ConnectorError =>
    new ConnectorError({ code, message: `${operation}: ${detail}`, retryable, crmCode, httpStatus: status, ...extra });
  if (status === 429) {
    const wait = retryAfterMs(params.retryAfter);
    return make('rate_limited', true, wait === undefined ? {} : { retryAfterMs: wait });
  }
  if (status === 401 || status === 403) return make('auth', false);
  if (status === 404) return make('not_found', false);
  if (status === 409 || status === 412) return make('conflict', false);
  if (status === 400 || status === 422) return make('validation', false);
  if (status >= 500 || status === 408) return make('transient', true);
  return make('unknown', false);
}

export function networkError(operation: string, cause: unknown): ConnectorError {
  const code = (cause as { code?: unknown } | null)?.code;
  const reason = typeof code === 'string' ? code : cause instanceof Error ? cause.message : String(cause);
  return new ConnectorError({ code: 'transient', message: `${operation}: network failure (${reason})`, retryable: true, cause });
}
