/**
 * Inbound referrals that no CRM instance's `inbound` rule takes: kept in the store and listed
 * (`status`, GET /api/status, the console), never dropped. When the rules change, the referrals a
 * rule now takes are queued for that instance, so the next pass routes them.
 */
import { isTerminal, type Opportunity } from '../core/model';
import type { StateStore } from '../store/types';
import { acceptsInbound, ROUTE_ALL, routeInbound, type InboundRule } from './inbound-routing';

export interface RoutedInstance {
  name: string;
  /** `partner-center` is where referrals come from, never a CRM that takes them. */
  kind?: string;
  inbound?: InboundRule | undefined;
}

/** The CRM instances among the scheduled ones: only they take inbound referrals. */
const crmInstances = (instances: readonly RoutedInstance[]): RoutedInstance[] => instances.filter((i) => i.kind !== 'partner-center');

export interface UnroutedReferral {
  id: string;
  dealName: string;
  stage: string;
  country: string;
  solutions: string[];
  receivedAt: string | null;
}

const PAGE = 500;

async function* inboundOpen(store: StateStore): AsyncIterable<Opportunity> {
  let cursor: string | undefined;
  do {
    const page = await store.listOpportunities({ direction: 'inbound', limit: PAGE, ...(cursor ? { cursor } : {}) });
    for (const stored of page.items) if (!isTerminal(stored.opportunity.stage)) yield stored.opportunity;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/** Open inbound referrals no configured instance takes, oldest first as the store lists them. */
export async function listUnrouted(store: StateStore, instances: readonly RoutedInstance[]): Promise<UnroutedReferral[]> {
  const out: UnroutedReferral[] = [];
  for await (const o of inboundOpen(store)) {
    if (routeInbound(crmInstances(instances), o).length > 0) continue;
    out.push({ id: o.id, dealName: o.dealName, stage: o.stage, country: o.customer.location.country, solutions: o.solutions.map((s) => s.id), receivedAt: o.receivedAt });
  }
  return out;
}

const ruleKey = (name: string): string => `routing:${name}`;

/**
 * Compares the instance's rule with the one seen at its last pass; when it changed, every open
 * inbound referral the rule now takes and the instance has no record of is queued for it. The first
 * pass only records the rule. Returns how many were queued.
 */
export async function requeueOnRuleChange(store: StateStore, instance: RoutedInstance, now: Date): Promise<number> {
  const rule = JSON.stringify(instance.inbound ?? ROUTE_ALL);
  const seen = (await store.getCursor(ruleKey(instance.name)))?.cursor ?? null;
  if (seen === rule) return 0;
  let queued = 0;
  if (seen !== null) {
    for await (const o of inboundOpen(store)) {
      if (!acceptsInbound(instance.inbound ?? ROUTE_ALL, o)) continue;
      if ((await store.getLinkByOpportunity(instance.name, o.id)) !== null) continue;
      await store.enqueueOutbox({ connector: instance.name, opportunityId: o.id, reason: 'inbound rule changed' }, now);
      queued++;
    }
  }
  await store.setCursor(ruleKey(instance.name), rule, now);
  return queued;
}
