/**
 * Partner lookup on the Partner Center API (a different host from the Referrals API):
 * `GET /v1/profiles/mpn?mpnId={id}`; 200 with the partner's profile means a known partner, 404
 * (`{"code":3000,"description":"Partner Organization with partner_id … could not be found"}`)
 * an unknown one. https://learn.microsoft.com/en-us/partner-center/developer/get-partner-by-mpn-id
 */
import { z } from 'zod';
import { ConfigError } from '../../src/errors';
import type { Logger } from '../../src/log';
import { DEFAULT_RETRY_POLICY, validateRetryPolicy, type RetryPolicy } from '../../src/retry';
import type { PartnerLookupApi, PartnerProfile, PartnerTokenSource } from '../../src/ports/referral';
import { PartnerApiClient } from './client';

export const PARTNER_LOOKUP_DEFAULTS = {
  apiBase: 'https://api.partnercenter.microsoft.com/v1',
  timeoutMs: 30_000,
} as const;

export interface PartnerLookupOptions {
  name: string;
  /** `https://api.partnercenter.microsoft.com/v1` (the simulator's `${origin}/v1` in tests). */
  apiBase?: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
}

const profileSchema = z.looseObject({ mpnId: z.union([z.string(), z.number()]).nullish(), partnerName: z.string().nullish() });

export function createPartnerLookup(options: PartnerLookupOptions, deps: { logger: Logger; tokens: PartnerTokenSource }): PartnerLookupApi & { apiUsage(): { calls: number } } {
  const base = (options.apiBase ?? PARTNER_LOOKUP_DEFAULTS.apiBase).replace(/\/$/, '');
  if (!/^https?:\/\/[^/]+(\/.*)?$/.test(base)) {
    throw new ConfigError(`partner center ${options.name}: partner lookup apiBase must be an http(s) URL, got ${JSON.stringify(base)}`);
  }
  const logger = deps.logger.child({ module: 'partner-lookup', connector: options.name });
  const api = new PartnerApiClient({
    apiBase: base,
    tokens: deps.tokens,
    policy: validateRetryPolicy({ ...DEFAULT_RETRY_POLICY, ...options.retry }),
    timeoutMs: options.timeoutMs ?? PARTNER_LOOKUP_DEFAULTS.timeoutMs,
    logger,
  });
  return {
    async lookupPartner(partnerId: string, signal?: AbortSignal): Promise<PartnerProfile | null> {
      const id = partnerId.trim();
      // Without an id Partner Center answers with the signed-in partner's own profile.
      if (id === '') throw new ConfigError('partner lookup: the partner id is empty');
      const res = await api
        .send({ method: 'GET', url: `profiles/mpn?mpnId=${encodeURIComponent(id)}`, operation: 'look up partner', ...(signal ? { signal } : {}) })
        .catch((error: unknown) => {
          if ((error as { code?: unknown }).code === 'not_found') return null;
          throw error;
        });
      if (res === null) return null;
      const parsed = profileSchema.safeParse(res.data);
      if (!parsed.success) throw new Error(`look up partner ${id}: unexpected response shape`);
      return { partnerId: id, name: parsed.data.partnerName ?? null };
    },
    apiUsage: () => ({ calls: api.calls }),
  };
}
