/**
 * What every CRM transport shares: one keep-alive agent pair per client, a request timeout that
 * bounds both the connection and the whole exchange, and the distinction between a request that
 * timed out (its outcome is unknown) and one the caller aborted.
 */
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, isAxiosError } from 'axios';
import { ConnectorError, isSyncError } from '../../src/errors';

export const DEFAULT_TIMEOUT_MS = 30_000;

export function checkTimeout(timeoutMs: number | undefined, where: string): number {
  const value = timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${where}: timeoutMs must be a positive integer, got ${String(timeoutMs)}`);
  return value;
}

/**
 * An axios instance that never throws on an HTTP status (the connector parses error bodies),
 * keeps the body as text, reuses connections, and gives up after `timeoutMs`: axios' own timeout
 * covers connecting and an idle socket, the per-request signal (see `timeoutSignal`) the total.
 */
export function createHttpClient(timeoutMs: number): AxiosInstance {
  return axios.create({
    timeout: timeoutMs,
    httpAgent: new http.Agent({ keepAlive: true, timeout: timeoutMs }),
    httpsAgent: new https.Agent({ keepAlive: true, timeout: timeoutMs }),
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    maxRedirects: 0,
    transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: false },
  });
}

/** The signal one request runs under: the caller's, and a deadline `timeoutMs` from now. */
export function timeoutSignal(timeoutMs: number, caller?: AbortSignal): { signal: AbortSignal; deadline: AbortSignal } {
  const deadline = AbortSignal.timeout(timeoutMs);
  return { signal: caller ? AbortSignal.any([caller, deadline]) : deadline, deadline };
}

/** Marks an error as a request that got no answer in time: the server may or may not have acted. */
export class TimeoutError extends ConnectorError {
  override name = 'TimeoutError';
  readonly timedOut = true;
}

export const isTimeout = (error: unknown): error is TimeoutError => error instanceof TimeoutError;

/**
 * Turns a transport failure into a ConnectorError: a timeout (retryable only when the request is
 * idempotent), a network failure (retryable), or the caller's abort, rethrown untouched.
 */
export function transportError(params: { operation: string; error: unknown; timeoutMs: number; deadline: AbortSignal; caller?: AbortSignal | undefined; idempotent: boolean }): unknown {
  const { operation, error, timeoutMs, deadline, caller, idempotent } = params;
  if (caller?.aborted) return caller.reason ?? error;
  // Raised by an interceptor (a refused token request, say): already typed.
  if (isSyncError(error)) return error;
  const code = isAxiosError(error) ? error.code : undefined;
  if (deadline.aborted || code === 'ETIMEDOUT' || code === 'ECONNABORTED') {
    return new TimeoutError({
      code: 'transient',
      message: `${operation}: no answer within ${timeoutMs} ms${idempotent ? '' : ' (not retried: the request may have been applied)'}`,
      retryable: idempotent,
      cause: error,
    });
  }
  const reason = isAxiosError(error) ? (error.code ?? error.message) : error instanceof Error ? error.message : String(error);
  return new ConnectorError({ code: 'transient', message: `${operation}: network failure (${reason})`, retryable: true, cause: error });
}
