/**
 * The jsforce connection with what the connector needs around every call: a session obtained
 * lazily and refreshed as a single flight (one token request however many calls saw the
 * 401), one retry after a refresh and no more (a 401 a fresh token can't fix is an `auth` error,
 * never a loop), typed errors, retry of retryable failures, and API usage counting.
 */
import jsforce, { type Connection } from 'jsforce';
import { ConnectorError, type ConnectorErrorCode } from '../../src/errors';
import type { Logger } from '../../src/log';
import { withRetry, type RetryPolicy } from '../../src/retry';
import { requestToken, type SalesforceAuth } from './auth';
import { parseSalesforceError } from './parse-error';
import { parseRetryAfter } from './retry-after';

export interface ClientOptions {
  loginUrl: string;
  apiVersion: string;
  auth: SalesforceAuth;
  retry: RetryPolicy;
  logger: Logger;
  now?: () => number;
}

type HttpRequestFn = (req: unknown, options?: Record<string, unknown>) => unknown;

/**
 * jsforce's fetch layer (src/request.ts) silently retries GETs on 5xx/429 and network errors with
 * its own backoff (500 ms, x2, 5 times). Retrying belongs to the connector's policy, once, counted
 * and logged, so that inner loop is switched off through the per-request `retry` option.
 */
function disableTransportRetry(conn: Connection, onResponse: (res: TransportResponse) => void): void {
  const transport = (conn as unknown as { _transport?: { httpRequest?: HttpRequestFn } })._transport;
  const original = transport?.httpRequest?.bind(transport);
  if (!transport || !original) return;
  transport.httpRequest = (req, options = {}) => {
    const pending = original(req, { ...options, retry: { maxRetries: 0 } });
    // Seen before jsforce turns the answer into an error without its headers (Retry-After).
    if (pending instanceof Promise) pending.then((res: unknown) => onResponse((res ?? {}) as TransportResponse), () => undefined);
    return pending;
  };
}

interface TransportResponse {
  statusCode?: number;
  headers?: Record<string, unknown>;
}

/** The server's Retry-After on a retryable error: the wait comes from it, not from the backoff. */
function withRetryAfter(ce: ConnectorError, retryAfterMs: number | undefined): ConnectorError {
  if (retryAfterMs === undefined || !ce.retryable || ce.retryAfterMs !== undefined) return ce;
  const { code, message, crmCode, fields, httpStatus } = ce;
  return new ConnectorError({ code: code as ConnectorErrorCode, retryable: true, retryAfterMs, message, crmCode, fields, httpStatus, cause: ce.cause });
}

export class SalesforceClient {
  readonly conn: Connection;
  calls = 0;
  tokenRequests = 0;
  private generation = 0;
  private refreshing: Promise<void> | null = null;
  /** Retry-After of the last 429/503 answer, put on the error of that call. */
  private retryAfterMs: number | undefined;

  constructor(private readonly options: ClientOptions) {
    // No oauth2 client info and no refreshFn: jsforce's own 401 handling would retry without
    // bound; refresh is done here instead.
    this.conn = new jsforce.Connection({ loginUrl: options.loginUrl, version: options.apiVersion });
    disableTransportRetry(this.conn, (res) => {
      const ms = res.statusCode === 429 || res.statusCode === 503 ? parseRetryAfter(res.headers?.['retry-after'], (this.options.now ?? Date.now)()) : undefined;
      this.retryAfterMs = ms;
    });
  }

  get retryPolicy(): RetryPolicy {
    return this.options.retry;
  }

  limitInfo(): { used: number | null; limit: number | null } {
    const usage = this.conn.limitInfo?.apiUsage;
    return { used: usage?.used ?? null, limit: usage?.limit ?? null };
  }

  /** Gets a new token unless one newer than `seen` exists; concurrent callers share one request. */
  private async refresh(seen: number): Promise<void> {
    if (this.generation > seen) return;
    if (!this.refreshing) {
      this.refreshing = (async () => {
        try {
          this.tokenRequests += 1;
          const token = await requestToken(this.options.loginUrl, this.options.auth, (this.options.now ?? Date.now)());
          this.conn.accessToken = token.accessToken;
          this.conn.instanceUrl = token.instanceUrl;
          this.generation += 1;
          this.options.logger.info('salesforce session established', { generation: this.generation });
        } catch (err) {
          const ce = parseSalesforceError(err);
          throw ce.code === 'auth' || ce.retryable ? ce : new ConnectorError({ code: 'auth', message: `token request failed: ${ce.message}`, crmCode: ce.crmCode, cause: err });
        } finally {
          this.refreshing = null;
        }
      })();
    }
    await this.refreshing;
  }

  private async once<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    if (this.generation === 0) await this.refresh(0);
    let seen = this.generation;
    for (let attempt = 0; ; attempt += 1) {
      try {
        this.calls += 1;
        this.retryAfterMs = undefined;
        return await fn(this.conn);
      } catch (err) {
        const ce = withRetryAfter(parseSalesforceError(err), this.retryAfterMs);
        if (ce.crmCode !== 'INVALID_SESSION_ID' && ce.httpStatus !== 401) throw ce;
        if (attempt > 0) throw new ConnectorError({ code: 'auth', retryable: false, message: 'session rejected even after a fresh token', crmCode: ce.crmCode, cause: err });
        await this.refresh(seen);
        seen = this.generation;
      }
    }
  }

  /** Runs one API call (fn must make exactly one request) with session handling and retry. */
  call<T>(label: string, fn: (conn: Connection) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withRetry(() => this.once(fn), {
      policy: this.options.retry,
      ...(signal ? { signal } : {}),
      onRetry: ({ error, attempt, decision }) =>
        this.options.logger.warn('salesforce call failed, retrying', { call: label, attempt, reason: decision.reason, waitMs: decision.waitMs, crmCode: error instanceof ConnectorError ? error.crmCode : null }),
    });
  }
}
