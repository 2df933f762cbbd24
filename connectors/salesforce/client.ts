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
import { TimeoutError } from '../shared/http';
import { parseRetryAfter } from './retry-after';

export interface ClientOptions {
  loginUrl: string;
  apiVersion: string;
  auth: SalesforceAuth;
  retry: RetryPolicy;
  logger: Logger;
  now?: () => number;
  /** Bound on connecting and on each whole request, in ms. */
  timeoutMs: number;
}

type HttpRequestFn = (req: unknown, options?: Record<string, unknown>) => unknown;

/**
 * jsforce's fetch layer (lib/request.js) silently retries GETs on 5xx/429 and network errors with
 * its own backoff (500 ms, x2, 5 times), and bounds a request only by its 30-minute default.
 * Retrying belongs to the connector's policy, once, counted and logged, and every request must
 * end within `timeoutMs`; both are per-request options of that layer (`retry`, `timeout`), which
 * jsforce passes through `Connection#_transport.httpRequest` and exposes on no public method that
 * every call (query, describe, collections, Bulk API 2.0) goes through. The connection's
 * transport is therefore wrapped; test/unit/salesforce/jsforce-transport.test.ts fails if a jsforce
 * release moves it, and so does this function, rather than silently losing the bound.
 */
export function boundTransport(conn: Connection, timeoutMs: number, onResponse?: (res: TransportResponse) => void): void {
  const transport = (conn as unknown as { _transport?: { httpRequest?: HttpRequestFn } })._transport;
  const original = transport?.httpRequest?.bind(transport);
  if (!transport || !original) throw new Error('jsforce Connection has no _transport.httpRequest: request timeouts cannot be applied with this jsforce version');
  transport.httpRequest = (req, options = {}) => {
    const pending = original(req, { ...options, retry: { maxRetries: 0 }, timeout: timeoutMs });
    // Seen before jsforce turns the answer into an error without its headers (Retry-After).
    if (onResponse && pending instanceof Promise) pending.then((res: unknown) => onResponse((res ?? {}) as TransportResponse), () => undefined);
    return pending;
  };
}

/** jsforce aborts a request past its `timeout` and reports node-fetch's AbortError. */
function timedOut(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

function boundedBy<T>(timeoutMs: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError({ code: 'transient', retryable: true, message: `salesforce token request: no answer within ${timeoutMs} ms` })), timeoutMs);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
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
    boundTransport(this.conn, options.timeoutMs, (res) => {
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
          // jsforce's OAuth2 has a transport of its own; the same bound applies from outside.
          const token = await boundedBy(this.options.timeoutMs, requestToken(this.options.loginUrl, this.options.auth, (this.options.now ?? Date.now)()));
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
        if (timedOut(err)) {
          // Every call the connector makes is a read, an upsert on the external id or an update
          // with the same values: replaying one whose answer never came has the effect of one.
          throw new TimeoutError({ code: 'transient', retryable: true, message: `salesforce: no answer within ${this.options.timeoutMs} ms`, cause: err });
        }
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
