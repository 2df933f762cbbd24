/**
 * One opportunity brought to Partner Center. Creates are idempotent: before any POST the
 * referral carrying our `externalReferenceId` is looked for among the referrals changed since the
 * deal was created. Updates are JSON Patch with If-Match; a 412 means Partner Center moved on, so
 * the referral is re-read, applied here first (it is the authority for Microsoft's decisions),
 * and the patch recomputed. A closed referral is never patched, except to add the deal
 * registration a won deal asks for (R17, `registrations/-`).
 */
import { microsoftView, type Opportunity } from '../core';
import { ConnectorError, isConnectorError } from '../errors';
import type { Logger } from '../log';
import type { JsonPatchOperation, Referral, ReferralApi } from '../ports/referral';
import type { StoreOps } from '../store/types';
import { sharingViolation } from './consent';
import { referralFilter } from './filter';
import { applyReferral, PARTNER_CENTER_CONNECTOR, type InboundDeps } from './inbound';
import { invitedPartnerIds, requireKnownPartners, type PartnerCheck } from './partner-check';
import { isTerminalReferral, stageOfStatus } from './status';
import { externalReferenceIdOf, patchToMatch, toNewReferral } from './to-referral';

export type OutboundOutcome = 'created' | 'found' | 'patched' | 'unchanged' | 'held-private' | 'terminal' | 'registered';

export interface OutboundDeps extends InboundDeps {
  api: ReferralApi;
  store: StoreOps;
  logger: Logger;
  /** How far before the deal's creation to look for a referral a lost response created. */
  lookbackMs?: number;
  maxConflictRetries?: number;
  /** R8: when given, a deal inviting a partner Partner Center does not know is not sent. */
  partners?: PartnerCheck;
}

const DAY = 86_400_000;

async function findExisting(deps: OutboundDeps, opp: Opportunity): Promise<Referral | null> {
  const since = new Date(Date.parse(opp.createdAt) - (deps.lookbackMs ?? DAY)).toISOString();
  const key = externalReferenceIdOf(opp);
  // externalReferenceId is not a documented filter field: narrow by time, match here.
  const filter = referralFilter([{ field: 'updatedDateTime', op: 'ge', value: since }]);
  for await (const page of deps.api.list({ filter, orderBy: 'updatedDateTime asc' })) {
    const hit = page.referrals.find((r) => r.externalReferenceId === key);
    if (hit) return hit;
  }
  return null;
}

async function saveLink(deps: OutboundDeps, referral: Referral, opp: Opportunity, version: number): Promise<void> {
  await deps.store.saveLink({
    connector: PARTNER_CENTER_CONNECTOR,
    externalId: referral.id,
    opportunityId: opp.id,
    base: { status: referral.status ?? null, substatus: referral.substatus ?? null, updatedDateTime: referral.updatedDateTime ?? null },
    crmVersion: referral.eTag ?? null,
    opportunityVersion: version,
    held: {},
    syncedAt: deps.now().toISOString(),
  });
}

function guard(opp: Opportunity, body: { consent?: { consentToShareReferralWithMicrosoftSellers?: boolean | null } | null; target?: { id?: string | null }[] | null }): void {
  const violation = sharingViolation(opp, {
    consentToShareReferralWithMicrosoftSellers: body.consent?.consentToShareReferralWithMicrosoftSellers,
    targetsMicrosoft: (body.target ?? []).some((t) => t.id === 'msft'),
  });
  if (violation !== null) throw new Error(`refused to send opportunity ${opp.id}: ${violation}`);
}

function registrationOps(current: Referral, opp: Opportunity): JsonPatchOperation[] {
  const reg = opp.dealRegistration;
  if (opp.stage !== 'won' || reg === null || (current.registrations ?? []).length > 0) return [];
  return [{ op: 'add', path: '/registrations/-', value: { type: 'AzureIPCoSell', externalReferenceId: reg.registrationId, details: reg.details } }];
}

function operationsFor(current: Referral, opp: Opportunity): JsonPatchOperation[] {
  if (isTerminalReferral(current)) return registrationOps(current, opp);
  // The same stage need not be re-sent as our spelling (New/Received vs Microsoft's New/Pending).
  const sameStage = stageOfStatus(current.status, current.substatus) === opp.stage;
  const ops = patchToMatch(current, opp).filter((op) => !(sameStage && (op.path === '/status' || op.path === '/substatus')));
  return [...ops, ...registrationOps(current, opp)];
}

/**
 * R8 before anything is sent: an unknown partner is a refusal (dead-lettered by the caller with
 * its reason); a lookup Partner Center cannot answer is a retryable failure, tried again later.
 */
async function checkPartners(deps: OutboundDeps, opp: Opportunity): Promise<void> {
  if (!deps.partners) return;
  const unavailable = await requireKnownPartners(deps.partners, invitedPartnerIds(opp));
  if (unavailable.length > 0) {
    throw new ConnectorError({
      code: 'transient',
      retryable: true,
      message: `partner lookup unavailable for ${unavailable.join(', ')}; opportunity ${opp.id} is sent once Partner Center answers`,
    });
  }
}

export async function pushOpportunity(deps: OutboundDeps, opp: Opportunity, version: number): Promise<OutboundOutcome> {
  const link = await deps.store.getLinkByOpportunity(PARTNER_CENTER_CONNECTOR, opp.id);
  if (link !== null || opp.direction === 'outbound') await checkPartners(deps, opp);
  if (link === null) {
    if (opp.direction !== 'outbound') return 'unchanged';
    // R11: a private deal does not reach Partner Center before Microsoft is invited.
    if (microsoftView(opp) === null) return 'held-private';
    const found = await findExisting(deps, opp);
    if (found) {
      await saveLink(deps, found, opp, version);
      return 'found';
    }
    const body = toNewReferral(opp);
    guard(opp, body);
    const created = await deps.api.create(body);
    await saveLink(deps, created, opp, version);
    return 'created';
  }
  for (let attempt = 0; ; attempt++) {
    const current = await deps.api.get(link.externalId);
    if (current === null) throw new Error(`referral ${link.externalId} linked to ${opp.id} no longer exists in Partner Center`);
    // Partner Center moved since we last read it: take its side first (it decides for Microsoft).
    const moved = attempt === 0 && current.eTag !== link.crmVersion;
    if (moved) await applyReferral(deps, current);
    const fresh = attempt === 0 && !moved ? opp : ((await deps.store.getOpportunity(opp.id))?.opportunity ?? opp);
    const ops = operationsFor(current, fresh);
    if (ops.length === 0) {
      await saveLink(deps, current, fresh, version);
      return isTerminalReferral(current) ? 'terminal' : 'unchanged';
    }
    const sharing = ops.find((o) => o.path === '/consent/consentToShareReferralWithMicrosoftSellers');
    guard(fresh, { consent: { consentToShareReferralWithMicrosoftSellers: sharing ? Boolean(sharing.value) : null } });
    try {
      const updated = await deps.api.patch({ id: current.id, operations: ops, etag: current.eTag ?? null });
      await saveLink(deps, updated, fresh, version);
      return ops.some((o) => o.path === '/registrations/-') ? 'registered' : 'patched';
    } catch (error) {
      if (!(isConnectorError(error) && error.httpStatus === 412) || attempt >= (deps.maxConflictRetries ?? 3)) throw error;
      deps.logger.info('partner center referral changed since read; re-reading and merging', { externalId: current.id, attempt });
      const reread = await deps.api.get(current.id);
      if (reread) await applyReferral(deps, reread);
    }
  }
}
