/**
 * The Dynamics 365 (Dataverse Web API) connector: change-tracking reads, `$batch` writes with
 * alternate-key upserts and If-Match concurrency, Win/Lose through the close actions, and
 * EntityDefinitions metadata. Authenticates with Entra ID client credentials through MSAL.
 */
import type { Logger } from '../../src/log';
import { ConfigError } from '../../src/errors';
import { DEFAULT_RETRY_POLICY, validateRetryPolicy } from '../../src/retry';
import type { ChangePage, CrmConnector, CrmRecord, ReadChangesParams, WriteOperation, WriteResult } from '../../src/ports/connector';
import { createTokenSource } from './auth';
import { ChoiceColumns } from './choices';
import { CurrencyCache } from './currencies';
import { describe, logicalNameOf } from './describe';
import { FORMATTED, selectColumns, toCrmRecord } from './fields';
import { identifier, idsFilter } from './odata';
import { DYNAMICS_DEFAULTS, OPPORTUNITY_KEY, type DynamicsConnectorOptions } from './options';
import { readChanges } from './read-changes';
import { WebApiClient } from './web-api';
import { writeBatch } from './write-batch';

export type { DynamicsConnectorOptions, DynamicsAuth } from './options';
export type { DynamicsFieldMetadata } from './describe';
export { toODataFilter, matchesFilter } from './odata';

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const READ_CHUNK = 100;

function checkOptions(options: DynamicsConnectorOptions): { pageSize: number; batchSize: number } {
  const pageSize = options.pageSize ?? DYNAMICS_DEFAULTS.pageSize;
  const batchSize = options.batchSize ?? DYNAMICS_DEFAULTS.batchSize;
  const bad: string[] = [];
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 5000) bad.push('pageSize must be 1..5000');
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) bad.push('batchSize must be 1..1000');
  if (!/^https?:\/\/[^/]+\/?$/.test(options.url)) bad.push('url must be the organisation URL, e.g. https://contoso.crm.dynamics.com');
  if (bad.length > 0) throw new ConfigError(`dynamics connector ${options.name}: ${bad.join('; ')}`);
  return { pageSize, batchSize };
}

export function createDynamicsConnector(options: DynamicsConnectorOptions, deps: { logger: Logger }): CrmConnector {
  const { pageSize, batchSize } = checkOptions(options);
  const logger = deps.logger.child({ module: 'dynamics', connector: options.name });
  const entitySet = identifier(options.entitySet ?? DYNAMICS_DEFAULTS.entitySet);
  const alternateKey = identifier(options.alternateKey ?? DYNAMICS_DEFAULTS.alternateKey);
  const apiPath = `/api/data/${options.apiVersion ?? DYNAMICS_DEFAULTS.apiVersion}/`;
  const org = options.url.replace(/\/$/, '');
  const policy = validateRetryPolicy({ ...DEFAULT_RETRY_POLICY, ...options.retry });
  const api = new WebApiClient(`${org}${apiPath.replace(/\/$/, '')}`, createTokenSource(options.auth, org), policy, logger);
  const currencies = new CurrencyCache(api);
  const choices = new ChoiceColumns(api, logicalNameOf(entitySet));

  async function readRecords(ids: readonly string[], fields: readonly string[]): Promise<CrmRecord[]> {
    const wanted = ids.filter((id) => GUID.test(id));
    const plain = fields.filter((f) => !f.endsWith(FORMATTED));
    if (plain.includes('transactioncurrencyid')) await currencies.load();
    const select = selectColumns(plain).join(',');
    const out: CrmRecord[] = [];
    for (let i = 0; i < wanted.length; i += READ_CHUNK) {
      const filter = encodeURIComponent(idsFilter(OPPORTUNITY_KEY, wanted.slice(i, i + READ_CHUNK)));
      let url: string | undefined = `${entitySet}?$select=${select}&$filter=${filter}`;
      while (url) {
        const res = await api.send({
          method: 'GET',
          url,
          headers: { Prefer: `odata.maxpagesize=${pageSize},odata.include-annotations="OData.Community.Display.V1.FormattedValue"` },
          operation: 'read records',
        });
        const page = JSON.parse(res.text) as { value?: Array<Record<string, unknown>>; '@odata.nextLink'?: string };
        for (const row of page.value ?? []) out.push(toCrmRecord(row, { requested: plain, isoOf: (id) => currencies.isoOf(id) }));
        url = page['@odata.nextLink'];
      }
    }
    return out;
  }

  return {
    kind: 'dynamics',
    name: options.name,
    readChanges: (params: ReadChangesParams): AsyncIterable<ChangePage> =>
      readChanges({ api, currencies, entitySet, pageSize, filter: options.filter, logger }, params),
    readRecords,
    writeBatch: (ops: readonly WriteOperation[]): Promise<WriteResult[]> =>
      writeBatch({ api, currencies, choices, entitySet, alternateKey, batchSize, apiPath }, ops),
    describe: () => describe(api, entitySet),
    apiUsage: () => ({ calls: api.calls, ...api.quota() }),
    close: async () => {
      logger.debug('dynamics connector closed', { calls: api.calls });
    },
  };
}
