/**
 * One authenticated Partner API call over axios: keep-alive agents, a timeout, a new
 * `client-request-id` per call (headers.md), one token renewal on 401, errors parsed into
 * ConnectorErrors. Reads are retried under the shared policy (Retry-After honoured); writes are
 * retried only after a 429, which Partner Center sends before doing anything.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { ConnectorError, isConnectorError } from '../../src/errors';
import type { Logger } from '../../src/log';
import { withRetry, type RetryPolicy } from '../../src/retry';
import type { PartnerTokenSource } from '../../src/ports/referral';
import { networkError, parsePartnerError } from './parse-error';

export interface PartnerRequest {
  method: 'GET' | 'POST' | 'PATCH';
  /** Absolute (a nextLink), or relative to the API base. */
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  operation: string;
  signal?: AbortSignal;
}

export class PartnerApiClient {
  private readonly http: AxiosInstance;
  private callCount = 0;

  constructor(
    private readonly params: { apiBase: string; tokens: PartnerTokenSource; policy: RetryPolicy; timeoutMs: number; logger: Logger },
  ) {
    this.http = axios.create({
      timeout: params.timeoutMs,
      httpAgent: new http.Agent({ keepAlive: true }),
      httpsAgent: new https.Agent({ keepAlive: true }),
      // Every status is handled here, so that the error parser sees the body.
      validateStatus: () => true,
      maxRedirects: 0,
    });
  }

  get calls(): number {
    return this.callCount;
  }

  get apiBase(): string {
    return this.params.apiBase;
  }

  async send(req: PartnerRequest): Promise<AxiosResponse> {
    return withRetry(() => this.attempt(req), {
      policy: this.params.policy,
      ...(req.signal ? { signal: req.signal } : {}),
      onRetry: ({ error, attempt, decision }) => {
        this.params.logger.warn('partner center call failed, retrying', {
          operation: req.operation,
          attempt,
          reason: decision.reason,
          waitMs: decision.waitMs,
          code: isConnectorError(error) ? error.code : undefined,
        });
      },
    });
  }

  private async attempt(req: PartnerRequest): Promise<AxiosResponse> {
    try {
      let res = await this.once(req, await this.params.tokens.token(false));
      if (res.status === 401) {
        this.params.logger.info('partner center token refused, renewing', { operation: req.operation });
        res = await this.once(req, await this.params.tokens.token(true));
      }
      if (res.status >= 400) {
        throw parsePartnerError({ status: res.status, body: res.data, retryAfter: res.headers['retry-after'], operation: req.operation });
      }
      return res;
    } catch (error) {
      // A write that may have reached the server is not repeated blindly: the sync finds it by
      // externalReferenceId, or re-reads it, before trying again.
      if (req.method !== 'GET' && isConnectorError(error) && error.retryable && error.code !== 'rate_limited') {
        throw new ConnectorError({ code: 'transient', message: error.message, retryable: false, cause: error, httpStatus: error.httpStatus });
      }
      throw error;
    }
  }

  private async once(req: PartnerRequest, token: string): Promise<AxiosResponse> {
    const url = /^https?:\/\//.test(req.url) ? req.url : `${this.params.apiBase}/${req.url}`;
    this.callCount++;
    try {
      return await this.http.request({
        method: req.method,
        url,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          'client-request-id': randomUUID(),
          ...(req.body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...req.headers,
        },
        ...(req.body === undefined ? {} : { data: JSON.stringify(req.body) }),
        ...(req.signal ? { signal: req.signal } : {}),
        responseType: 'json',
      });
    } catch (error) {
      if (req.signal?.aborted) throw error;
      throw networkError(req.operation, error);
    }
  }
}
