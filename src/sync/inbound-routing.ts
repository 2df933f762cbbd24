/**
 * Which CRM instance gets an inbound referral: each instance's `inbound` rule takes referrals by
 * customer country (ISO-2), by solution id, or all (the default). A partner with two orgs thus
 * gets each referral where it belongs; one that no rule takes is listed as unrouted, never dropped.
 */
import type { Opportunity } from '../core/model';

export type InboundRule = { by: 'all' } | { by: 'country'; values: readonly string[] } | { by: 'solution'; values: readonly string[] };

export const ROUTE_ALL: InboundRule = { by: 'all' };

export function acceptsInbound(rule: InboundRule, opp: Pick<Opportunity, 'customer' | 'solutions'>): boolean {
  switch (rule.by) {
    case 'all':
      return true;
    case 'country': {
      const country = opp.customer.location.country.trim().toUpperCase();
      return rule.values.some((v) => v.trim().toUpperCase() === country);
    }
    case 'solution':
      return opp.solutions.some((s) => rule.values.includes(s.id));
  }
}

/** Instances an inbound opportunity goes to; empty means unrouted. */
export function routeInbound<T extends { name: string; inbound?: InboundRule | undefined }>(
  instances: readonly T[],
  opp: Pick<Opportunity, 'customer' | 'solutions'>,
): string[] {
  return instances.filter((i) => acceptsInbound(i.inbound ?? ROUTE_ALL, opp)).map((i) => i.name);
}

/** Inbound opportunities no instance takes (for `status`). */
export function unroutedInbound<T extends { name: string; inbound?: InboundRule | undefined }>(
  instances: readonly T[],
  opps: readonly Pick<Opportunity, 'id' | 'direction' | 'customer' | 'solutions'>[],
): string[] {
  return opps.filter((o) => o.direction === 'inbound' && routeInbound(instances, o).length === 0).map((o) => o.id);
}
