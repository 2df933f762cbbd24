/**
 * R8: a partner invitation names a partner Partner Center knows. Answers are cached in the store
 * (known and unknown alike) for `ttlMs`; a Partner Center that cannot answer is `unavailable`, which
 * callers treat as "ask again later", never as a refusal.
 */
import type { Opportunity } from '../core/model';
import { RuleViolation } from '../core/rules';
import { isConnectorError } from '../errors';
import type { Logger } from '../log';
import type { PartnerLookupApi } from '../ports/referral';
import type { StoreOps } from '../store/types';

export const PARTNER_LOOKUP_TTL_MS = 24 * 60 * 60 * 1000;

export type PartnerVerdict =
  | { status: 'known'; partnerId: string; name: string | null; cached: boolean }
  | { status: 'unknown'; partnerId: string; cached: boolean }
  | { status: 'unavailable'; partnerId: string; reason: string };

export interface PartnerCheckDeps {
  api: PartnerLookupApi;
  store: Pick<StoreOps, 'getPartnerLookup' | 'savePartnerLookup'>;
  now: () => Date;
  logger: Logger;
  /** How long an answer is kept before Partner Center is asked again. */
  ttlMs?: number;
}

export interface PartnerCheck {
  check(partnerId: string): Promise<PartnerVerdict>;
}

export function createPartnerCheck(deps: PartnerCheckDeps): PartnerCheck {
  const ttl = deps.ttlMs ?? PARTNER_LOOKUP_TTL_MS;
  if (!Number.isFinite(ttl) || ttl < 0) throw new RangeError(`partner lookup ttlMs must be a non-negative number, got ${String(ttl)}`);
  return {
    async check(partnerId: string): Promise<PartnerVerdict> {
      const now = deps.now();
      const cached = await deps.store.getPartnerLookup(partnerId);
      if (cached !== null && Date.parse(cached.expiresAt) > now.getTime()) {
        return cached.known ? { status: 'known', partnerId, name: cached.name, cached: true } : { status: 'unknown', partnerId, cached: true };
      }
      let profile;
      try {
        profile = await deps.api.lookupPartner(partnerId);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        deps.logger.warn('partner center could not say whether the partner is known; asked again later', {
          partnerId,
          code: isConnectorError(error) ? error.code : undefined,
          reason,
        });
        return { status: 'unavailable', partnerId, reason };
      }
      await deps.store.savePartnerLookup({
        partnerId,
        known: profile !== null,
        name: profile?.name ?? null,
        checkedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + ttl).toISOString(),
      });
      return profile === null ? { status: 'unknown', partnerId, cached: false } : { status: 'known', partnerId, name: profile.name, cached: false };
    },
  };
}

/** The refusal of an invitation naming a partner Partner Center does not know. */
export function unknownPartner(partnerId: string): RuleViolation {
  return new RuleViolation({
    rule: 'R8',
    message: `partner ${partnerId} is not known to Partner Center; a partner invitation must name a known co-sell partner`,
    fields: ['invitee.partnerId'],
  });
}

/**
 * Checks every partner id; the first unknown one is thrown as an R8 refusal. Returns the ids
 * Partner Center could not answer for (to be checked again later).
 */
export async function requireKnownPartners(check: PartnerCheck, partnerIds: readonly string[]): Promise<string[]> {
  const unavailable: string[] = [];
  for (const id of [...new Set(partnerIds)]) {
    const verdict = await check.check(id);
    if (verdict.status === 'unknown') throw unknownPartner(id);
    if (verdict.status === 'unavailable') unavailable.push(id);
  }
  return unavailable;
}

/** Partner ids the opportunity's invitations name. */
export function invitedPartnerIds(opp: Pick<Opportunity, 'invitations'>): string[] {
  return opp.invitations.flatMap((i) => (i.invitee.kind === 'partner' ? [i.invitee.partnerId] : []));
}
