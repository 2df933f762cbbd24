/**
 * One authenticated Web API call: bearer token from the token source, OData headers, a single
 * token renewal on 401 (then `auth`), Dataverse errors parsed into ConnectorErrors, and retries of
 * rate-limited / transient failures under the retry policy (Retry-After honoured). Counts calls.
 */
import type { Logger } from '../../src/log';
import { isConnectorError } from '../../src/errors';
import { withRetry, type RetryPolicy } from '../../src/retry';
import type { TokenSource } from './auth';
import { networkError, parseDataverseError } from './parse-error';

const REQUEST_LIMIT = 6000;

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Absolute, or relative to the API base (`opportunities?$select=…`). */
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** For messages and logs: what the call is for. */
  operation: string;
  signal?: AbortSignal;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
}

export class WebApiClient {
  private callCount = 0;
  private remaining: number | null = null;

  constructor(
    readonly apiBase: string,
    private readonly tokens: TokenSource,
    private readonly policy: RetryPolicy,
    private readonly logger: Logger,
  ) {}

  get calls(): number {
    return this.callCount;
  }

  /** Service-protection budget as Dataverse last reported it (6000 requests per 5-minute window). */
  quota(): { used: number | null; limit: number | null } {
    return this.remaining === null ? { used: null, limit: null } : { used: REQUEST_LIMIT - this.remaining, limit: REQUEST_LIMIT };
  }

  async send(req: ApiRequest): Promise<ApiResponse> {
    return withRetry(() => this.attempt(req), {
      policy: this.policy,
      ...(req.signal ? { signal: req.signal } : {}),
      onRetry: ({ error, attempt, decision }) => {
        this.logger.warn('dynamics call failed, retrying', {
          operation: req.operation,
          attempt,
          reason: decision.reason,
          waitMs: decision.waitMs,
          code: isConnectorError(error) ? error.code : undefined,
          crmCode: isConnectorError(error) ? error.crmCode : undefined,
        });
      },
    });
  }

  private async attempt(req: ApiRequest): Promise<ApiResponse> {
    let res = await this.fetchOnce(req, await this.tokens.token(false));
    if (res.status === 401) {
      // An expired or revoked token: renew once, bypassing the cache. A second 401 is final.
      this.logger.info('dynamics token refused, renewing', { operation: req.operation });
      res = await this.fetchOnce(req, await this.tokens.token(true));
    }
    if (res.status >= 400) {
      throw parseDataverseError({ status: res.status, body: res.text, retryAfter: res.headers.get('retry-after'), operation: req.operation });
    }
    return res;
  }

  private async fetchOnce(req: ApiRequest, token: string): Promise<ApiResponse> {
    const url = /^https?:\/\//.test(req.url) ? req.url : `${this.apiBase}/${req.url}`;
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json',
      'OData-MaxVersion': '4.0',
      'OData-Version': '4.0',
      ...req.headers,
    };
    const init: RequestInit = { method: req.method, headers };
    if (req.body !== undefined) init.body = req.body;
    if (req.signal) init.signal = req.signal;
    this.callCount++;
    try {
      const res = await fetch(url, init);
      const remaining = Number(res.headers.get('x-ms-ratelimit-burst-remaining-xrm-requests') ?? NaN);
      if (Number.isFinite(remaining)) this.remaining = remaining;
      return { status: res.status, headers: res.headers, text: await res.text() };
    } catch (error) {
      if (req.signal?.aborted) throw error;
      throw networkError(req.operation, error);
    }
  }
}
