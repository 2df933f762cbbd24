/**
 * The Partner Center connector: the Referrals API (list with `@odata.nextLink`, get, create,
 * JSON Patch with If-Match) behind the ReferralApi port.
 * https://learn.microsoft.com/en-us/partner-center/developer/get-a-list-of-referrals
 */
import { ConfigError } from '../../src/errors';
import type { Logger } from '../../src/log';
import { DEFAULT_RETRY_POLICY, validateRetryPolicy, type RetryPolicy } from '../../src/retry';
import type { ListReferralsParams, NewReferral, PartnerTokenSource, Referral, ReferralApi, ReferralPage } from '../../src/ports/referral';
import { PartnerApiClient } from './client';
import { parseReferral, parseReferralList } from './schema';

export interface PartnerCenterOptions {
  name: string;
  /** `https://api.partner.microsoft.com/v1.0/engagements` (the simulator's origin in tests). */
  apiBase: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
}

export const PARTNER_CENTER_DEFAULTS = {
  apiBase: 'https://api.partner.microsoft.com/v1.0/engagements',
  timeoutMs: 30_000,
  maxPageSize: 100,
} as const;

const encodeId = (id: string): string => encodeURIComponent(id);

export function createPartnerCenterConnector(
  options: PartnerCenterOptions,
  deps: { logger: Logger; tokens: PartnerTokenSource },
): ReferralApi {
  if (!/^https?:\/\/[^/]+(\/.*)?$/.test(options.apiBase)) {
    throw new ConfigError(`partner center ${options.name}: apiBase must be an http(s) URL, got ${JSON.stringify(options.apiBase)}`);
  }
  const logger = deps.logger.child({ module: 'partner-center', connector: options.name });
  const api = new PartnerApiClient({
    apiBase: options.apiBase.replace(/\/$/, ''),
    tokens: deps.tokens,
    policy: validateRetryPolicy({ ...DEFAULT_RETRY_POLICY, ...options.retry }),
    timeoutMs: options.timeoutMs ?? PARTNER_CENTER_DEFAULTS.timeoutMs,
    logger,
  });

  async function* list(params: ListReferralsParams): AsyncIterable<ReferralPage> {
    const top = Math.min(params.top ?? PARTNER_CENTER_DEFAULTS.maxPageSize, PARTNER_CENTER_DEFAULTS.maxPageSize);
    const query = new URLSearchParams();
    if (params.filter) query.set('$filter', params.filter);
    if (params.orderBy) query.set('$orderby', params.orderBy);
    query.set('$top', String(top));
    let url: string | null = `referrals?${query.toString()}`;
    while (url !== null) {
      const res = await api.send({ method: 'GET', url, operation: 'list referrals', ...(params.signal ? { signal: params.signal } : {}) });
      const page = parseReferralList(res.data, 'list referrals', `${api.apiBase}/`);
      yield page;
      url = page.nextLink;
    }
  }

  return {
    list,
    async get(id: string, signal?: AbortSignal): Promise<Referral | null> {
      const res = await api
        .send({ method: 'GET', url: `referrals/${encodeId(id)}`, operation: 'get referral', ...(signal ? { signal } : {}) })
        .catch((error: unknown) => {
          if ((error as { code?: unknown }).code === 'not_found') return null;
          throw error;
        });
      return res === null ? null : withEtag(parseReferral(res.data, 'get referral'), res.headers.etag);
    },
    async create(referral: NewReferral): Promise<Referral> {
      const res = await api.send({ method: 'POST', url: 'referrals', body: referral, operation: 'create referral' });
      return withEtag(parseReferral(res.data, 'create referral'), res.headers.etag);
    },
    async patch({ id, operations, etag }): Promise<Referral> {
      const res = await api.send({
        method: 'PATCH',
        url: `referrals/${encodeId(id)}`,
        body: operations,
        headers: { Prefer: 'return=representation', ...(etag ? { 'If-Match': etag } : {}) },
        operation: 'patch referral',
      });
      return withEtag(parseReferral(res.data, 'patch referral'), res.headers.etag);
    },
    apiUsage: () => ({ calls: api.calls }),
    close: async () => {
      logger.debug('partner center connector closed', { calls: api.calls });
    },
  };
}

/** The ETag header wins over the body's `eTag`: it is the one If-Match is compared with. */
function withEtag(referral: Referral, header: unknown): Referral {
  return typeof header === 'string' && header !== '' ? { ...referral, eTag: header } : referral;
}
