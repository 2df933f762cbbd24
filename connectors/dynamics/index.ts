/**
 * The Dynamics 365 (Dataverse Web API) connector: change-tracking reads, `$batch` writes with
 * alternate-key upserts and If-Match concurrency, Win/Lose through the close actions, and
 * EntityDefinitions metadata. Authenticates with Entra ID client credentials through MSAL.
 */
import type { Logger } from '../../src/log';
import { ConfigError } from '../../src/errors';
import { DEFAULT_RETRY_POLICY, validateRetryPolicy } from '../../src/retry';
import { checkTimeout } from '../shared/http';
import type { ChangePage, CrmConnector, ReadChangesParams, WriteOperation, WriteResult } from '../../src/ports/connector';
import { createTokenSource } from './auth';
import { ChoiceColumns } from './choices';
import { CurrencyCache } from './currencies';
import { describe, logicalNameOf } from './describe';
import { identifier } from './odata';
import { DYNAMICS_DEFAULTS, OPPORTUNITY_KEY, type DynamicsConnectorOptions } from './options';
import { readChanges } from './read-changes';
import { readRecords } from './read-records';
import { WebApiClient } from './web-api';
import { writeBatch } from './write-batch';

export type { DynamicsConnectorOptions, DynamicsAuth } from './options';
export type { DynamicsFieldMetadata } from './describe';
export { toODataFilter, matchesFilter } from './odata';

function checkOptions(options: DynamicsConnectorOptions): { pageSize: number; batchSize: number; concurrency: number } {
  const pageSize = options.pageSize ?? DYNAMICS_DEFAULTS.pageSize;
  const batchSize = options.batchSize ?? DYNAMICS_DEFAULTS.batchSize;
  const concurrency = options.writeConcurrency ?? DYNAMICS_DEFAULTS.writeConcurrency;
  const bad: string[] = [];
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 8) bad.push('writeConcurrency must be 1..8');
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 5000) bad.push('pageSize must be 1..5000');
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) bad.push('batchSize must be 1..1000');
  if (!/^https?:\/\/[^/]+\/?$/.test(options.url)) bad.push('url must be the organisation URL, e.g. https://contoso.crm.dynamics.com');
  if (bad.length > 0) throw new ConfigError(`dynamics connector ${options.name}: ${bad.join('; ')}`);
  return { pageSize, batchSize, concurrency };
}

export function createDynamicsConnector(options: DynamicsConnectorOptions, deps: { logger: Logger }): CrmConnector {
  const { pageSize, batchSize, concurrency } = checkOptions(options);
  const logger = deps.logger.child({ module: 'dynamics', connector: options.name });
  const entitySet = identifier(options.entitySet ?? DYNAMICS_DEFAULTS.entitySet);
  const alternateKey = identifier(options.alternateKey ?? DYNAMICS_DEFAULTS.alternateKey);
  const apiPath = `/api/data/${options.apiVersion ?? DYNAMICS_DEFAULTS.apiVersion}/`;
  const org = options.url.replace(/\/$/, '');
  const policy = validateRetryPolicy({ ...DEFAULT_RETRY_POLICY, ...options.retry });
  const timeoutMs = checkTimeout(options.timeoutMs, `dynamics connector ${options.name}`);
  const api = new WebApiClient(`${org}${apiPath.replace(/\/$/, '')}`, createTokenSource(options.auth, org, timeoutMs), policy, logger, timeoutMs);
  const currencies = new CurrencyCache(api);
  const choices = new ChoiceColumns(api, logicalNameOf(entitySet));

  return {
    kind: 'dynamics',
    idField: OPPORTUNITY_KEY,
    name: options.name,
    readChanges: (params: ReadChangesParams): AsyncIterable<ChangePage> =>
      readChanges({ api, currencies, entitySet, pageSize, filter: options.filter, logger }, params),
    readRecords: (ids, fields) => readRecords({ api, currencies, entitySet, pageSize }, ids, fields),
    writeBatch: (ops: readonly WriteOperation[]): Promise<WriteResult[]> =>
      writeBatch({ api, currencies, choices, entitySet, pageSize, alternateKey, batchSize, concurrency, apiPath }, ops),
    describe: () => describe(api, entitySet),
    currencyRates: () => currencies.exchangeRates(),
    apiUsage: () => ({ calls: api.calls, ...api.quota() }),
    close: async () => {
      logger.debug('dynamics connector closed', { calls: api.calls });
    },
  };
}
