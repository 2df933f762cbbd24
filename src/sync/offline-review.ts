/**
 * Settling conflicts and dead letters against a store alone (`--store` without `--config`): the
 * decision is made and recorded in the store, and the writes it implies wait in the outbox for
 * the daemon's next run of that connector instance. Nothing here talks to a CRM: an instance is
 * represented by its name only, and any attempt to reach its CRM is refused with the reason.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock';
import { ConfigError } from '../errors';
import type { Logger } from '../log';
import type { CrmConnector } from '../ports/connector';
import type { StateStore } from '../store/types';
import { newCounters, type RunContext } from './context';
import type { ConnectorInstance, ReconciliationPolicy } from './ports';
import { PARTNER_CENTER_CONNECTOR } from '../partner-center/inbound';
import { resolvePartnerCenterConflict } from '../partner-center/review';
import { resolveConflict, retryDeadLetter } from './review';
import type { SyncEngine } from './types';

const notConnected = (name: string): ConfigError =>
  new ConfigError(`connector instance ${name} is not connected: this command ran with --store only; give --config to reach the CRM`);

/** An instance known by name only: every CRM call is refused. */
function detachedInstance(name: string): ConnectorInstance {
  const refuse = (): Promise<never> => Promise.reject(notConnected(name));
  const connector: CrmConnector = {
    kind: 'salesforce', name,
    readChanges: () => ({ [Symbol.asyncIterator]: () => ({ next: refuse }) }),
    readRecords: refuse, writeBatch: refuse, describe: refuse,
    apiUsage: () => ({ calls: 0, used: null, limit: null }),
    close: async () => undefined,
  };
  const mapping: ConnectorInstance['mapping'] = {
    crmFields: [], externalIdField: '', fields: new Map(), stage: { direction: 'both', crmFields: [] }, participationFields: {},
    toCosell: () => { throw notConnected(name); },
    toCrm: () => { throw notConnected(name); },
    statusFields: () => { throw notConnected(name); },
  };
  return { name, connector, mapping, publish: 'none', pushBatchSize: 1 };
}

export type OfflineReview = Pick<SyncEngine, 'retryDeadLetter' | 'resolveConflict'>;

export function createOfflineReview(deps: { store: StateStore; clock: Clock; logger: Logger; policy: ReconciliationPolicy }): OfflineReview {
  const context = (name: string): RunContext => {
    const runId = randomUUID();
    return { instance: detachedInstance(name), policy: deps.policy, clock: deps.clock, runId, counters: newCounters(), logger: deps.logger.child({ connector: name, runId }), planned: null };
  };
  const review = { store: deps.store, clock: deps.clock, context, offline: true };
  return {
    retryDeadLetter: (id) => retryDeadLetter(review, id),
    async resolveConflict(id, keep) {
      // Partner Center's conflicts are Microsoft's decisions, settled by its own review (no referral read here).
      const conflict = await deps.store.getConflict(id);
      if (conflict?.connector === PARTNER_CENTER_CONNECTOR) {
        return resolvePartnerCenterConflict({ store: deps.store, clock: deps.clock, logger: deps.logger, api: null }, id, keep);
      }
      return resolveConflict(review, id, keep);
    },
  };
}
