/**
 * One authenticated Web API call over axios: a keep-alive agent, a timeout from the connector's
 * `timeoutMs`, interceptors that count calls and add the bearer token, OData headers, a single
 * token renewal on 401 (then `auth`), Dataverse errors parsed into ConnectorErrors, and retries
 * of rate-limited / transient failures under the retry policy (Retry-After honoured). A request
 * that timed out is retried only when it is idempotent; otherwise its caller settles it.
 */
import type { AxiosInstance, InternalAxiosRequestConfig } from 'axios';
import type { Logger } from '../../src/log';
import { isConnectorError } from '../../src/errors';
import { withRetry, type RetryPolicy } from '../../src/retry';
import { createHttpClient, timeoutSignal, transportError } from '../shared/http';
import type { TokenSource } from './auth';
import { parseDataverseError } from './parse-error';

const REQUEST_LIMIT = 6000;
/** Set on a request config to bypass the token cache (after a 401). */
const RENEW_TOKEN = 'x-cosell-renew-token';

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Absolute, or relative to the API base (`opportunities?$select=…`). */
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** For messages and logs: what the call is for. */
  operation: string;
  signal?: AbortSignal;
  /**
   * Whether sending the request twice has the effect of sending it once. Default: every method but
   * POST. A non-idempotent request that times out is not retried.
   */
  idempotent?: boolean;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
}

export class WebApiClient {
  private callCount = 0;
  private remaining: number | null = null;
  private readonly http: AxiosInstance;

  constructor(
    readonly apiBase: string,
    private readonly tokens: TokenSource,
    private readonly policy: RetryPolicy,
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {
    this.http = createHttpClient(timeoutMs);
    this.http.interceptors.request.use(async (config: InternalAxiosRequestConfig) => {
      const renew = config.headers.get(RENEW_TOKEN) === '1';
      config.headers.delete(RENEW_TOKEN);
      config.headers.set('Authorization', `Bearer ${await this.tokens.token(renew)}`);
      this.callCount++;
      return config;
    });
    this.http.interceptors.response.use((res) => {
      const remaining = Number(res.headers['x-ms-ratelimit-burst-remaining-xrm-requests'] ?? NaN);
      if (Number.isFinite(remaining)) this.remaining = remaining;
      return res;
    });
  }

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
    let res = await this.sendOnce(req, false);
    if (res.status === 401) {
      // An expired or revoked token: renew once, bypassing the cache. A second 401 is final.
      this.logger.info('dynamics token refused, renewing', { operation: req.operation });
      res = await this.sendOnce(req, true);
    }
    if (res.status >= 400) {
      throw parseDataverseError({ status: res.status, body: res.text, retryAfter: res.headers.get('retry-after'), operation: req.operation });
    }
    return res;
  }

  private async sendOnce(req: ApiRequest, renewToken: boolean): Promise<ApiResponse> {
    const url = /^https?:\/\//.test(req.url) ? req.url : `${this.apiBase}/${req.url}`;
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'OData-MaxVersion': '4.0',
      'OData-Version': '4.0',
      ...req.headers,
      ...(renewToken ? { [RENEW_TOKEN]: '1' } : {}),
    };
    const { signal, deadline } = timeoutSignal(this.timeoutMs, req.signal);
    try {
      const res = await this.http.request<string>({ method: req.method, url, headers, data: req.body, signal });
      const out = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (typeof value === 'string') out.set(name, value);
        else if (Array.isArray(value)) out.set(name, value.join(', '));
        else if (value !== undefined && value !== null) out.set(name, String(value));
      }
      return { status: res.status, headers: out, text: typeof res.data === 'string' ? res.data : '' };
    } catch (error) {
      const idempotent = req.idempotent ?? req.method !== 'POST';
      throw transportError({ operation: req.operation, error, timeoutMs: this.timeoutMs, deadline, caller: req.signal, idempotent });
    }
  }
}
