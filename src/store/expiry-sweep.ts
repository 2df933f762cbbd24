/**
 * R13: expire every referral left in `received` past its window. One opportunity failing (changed
 * meanwhile, or refused by the core) is logged and skipped; the next sweep sees it again if due.
 */
import { isRuleViolation, type Clock, type OpportunityId } from '../core';
import { StaleVersionError } from '../errors';
import type { Logger } from '../log';
import type { ChangeSource, StateStore } from './types';

export const EXPIRY_SWEEP_SOURCE: ChangeSource = { kind: 'system', name: 'expiry-sweep' };

export async function runExpirySweep(store: StateStore, clock: Clock, logger?: Logger): Promise<{ expired: OpportunityId[] }> {
  const now = clock.now();
  const due = await store.findExpiryDue(now);
  const expired: OpportunityId[] = [];
  for (const id of due) {
    try {
      await store.applyCommand({ id, command: { kind: 'expire' }, source: EXPIRY_SWEEP_SOURCE, now });
      expired.push(id);
      logger?.info('opportunity expired', { opportunityId: id, event: 'expired' });
    } catch (error) {
      if (!(error instanceof StaleVersionError) && !isRuleViolation(error)) throw error;
      logger?.warn('expiry skipped', { opportunityId: id, err: error });
    }
  }
  return { expired };
}
