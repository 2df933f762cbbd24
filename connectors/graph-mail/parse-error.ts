/**
 * Graph sendMail failures, sorted by what they say about delivery. sendMail is a POST with no
 * idempotency key, so only failures that prove the message was not taken are retried:
 * - 429 and 503: throttled or unavailable, the request was not processed; retried after Retry-After
 *   (https://learn.microsoft.com/graph/throttling).
 * - other 4xx: refused (bad request, auth, unknown mailbox), not taken; not retried.
 * - a connection that never opened (ECONNREFUSED, ENOTFOUND, EAI_AGAIN): not taken; retried.
 * - anything else (a timeout, a reset, 500/502/504): the outcome is unknown; never retried.
 * Error body shape: {"error":{"code","message"}} (https://learn.microsoft.com/graph/errors).
 */
import { ConnectorError } from '../../src/errors';
import { MailDeliveryUnknownError } from '../../src/ports/mail';

export interface ObservedExchange {
  status: number | null;
  headers: Headers | null;
  body: string | null;
  networkError: unknown;
}

const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

function retryAfterMs(headers: Headers | null): number | undefined {
  const value = headers?.get('retry-after');
  if (value === null || value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function graphCode(body: string | null): { code: string | null; message: string | null } {
  try {
    const parsed = JSON.parse(body ?? '') as { error?: { code?: unknown; message?: unknown } };
    return {
      code: typeof parsed.error?.code === 'string' ? parsed.error.code : null,
      message: typeof parsed.error?.message === 'string' ? parsed.error.message : null,
    };
  } catch {
    return { code: null, message: null };
  }
}

function causeCode(error: unknown): string | null {
  let current: unknown = error;
  for (let i = 0; i < 4 && current !== null && typeof current === 'object'; i += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

export function parseGraphMailError(exchange: ObservedExchange, error: unknown): ConnectorError | MailDeliveryUnknownError {
  const { status } = exchange;
  if (status === null) {
    const code = causeCode(exchange.networkError ?? error);
    if (code !== null && NOT_CONNECTED.has(code)) {
      return new ConnectorError({ code: 'transient', message: `graph mail: no connection (${code})`, retryable: true, cause: error });
    }
    return new MailDeliveryUnknownError(`graph mail: request interrupted (${code ?? 'no response'})`, error);
  }
  const { code, message } = graphCode(exchange.body);
  const text = `graph mail ${status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`;
  const common = { message: text, cause: error, crmCode: code, httpStatus: status };
  if (status === 429) return new ConnectorError({ ...common, code: 'rate_limited', retryable: true, ...optionalWait(exchange.headers) });
  if (status === 503) return new ConnectorError({ ...common, code: 'transient', retryable: true, ...optionalWait(exchange.headers) });
  if (status === 401 || status === 403) return new ConnectorError({ ...common, code: 'auth', retryable: false });
  if (status === 404) return new ConnectorError({ ...common, code: 'not_found', retryable: false });
  if (status >= 400 && status < 500) return new ConnectorError({ ...common, code: 'validation', retryable: false });
  return new MailDeliveryUnknownError(text, error);
}

function optionalWait(headers: Headers | null): { retryAfterMs?: number } {
  const wait = retryAfterMs(headers);
  return wait === undefined ? {} : { retryAfterMs: wait };
}
