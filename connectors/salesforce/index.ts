/**
 * The Salesforce CrmConnector: jsforce over the REST API (see client.ts for sessions and retry,
 * read-changes.ts for the incremental read, write-batch.ts for collections writes).
 */
import type { Logger } from '../../src/log';
import type { ApiUsage, ChangePage, CrmConnector, CrmRecord, ObjectMetadata, ParticipationFilter, ReadChangesParams, WriteOperation, WriteResult } from '../../src/ports/connector';
import { ConfigError } from '../../src/errors';
import { DEFAULT_RETRY_POLICY, validateRetryPolicy, type RetryPolicy } from '../../src/retry';
import type { SalesforceAuth } from './auth';
import { SalesforceClient } from './client';
import { normaliseDescribe } from './describe';
import { forgetRead, readChanges, type ReadContext } from './read-changes';
import { selectList, toCrmRecord } from './records';
import { QueryPage } from './schema';
import { assertFieldName, assertIdentifier, filterToSoql, idList } from './soql';
import { writeBatch } from './write-batch';
import { checkTimeout } from '../shared/http';
import { readCurrencyRates } from './currency-rates';

export type { SalesforceAuth } from './auth';

export interface SalesforceConnectorOptions {
  name: string;
  /** e.g. https://login.salesforce.com, a My Domain URL, or the simulator's URL. */
  loginUrl: string;
  apiVersion?: string;
  auth: SalesforceAuth;
  object?: string;
  filter: ParticipationFilter;
  externalIdField?: string;
  /** Query batch size hint (Sforce-Query-Options batchSize, 200..2000). */
  pageSize?: number;
  /** An initial load above this many records uses a Bulk API 2.0 query job. */
  bulkThreshold?: number;
  /** Records per Bulk API 2.0 results chunk. */
  bulkPageSize?: number;
  retry?: RetryPolicy;
  /** Each read starts this far behind the cursor and skips what it already read (see read-changes.ts); 0 = off. */
  settleMs?: number;
  now?: () => number;
  /** Bound on connecting and on each whole request, in ms (default 30 s). */
  timeoutMs?: number;
  /** Records per sObject Collections call (1..200, default 200). */
  batchSize?: number;
  /** Collections calls in flight at once for one writeBatch (1..8, default 4). */
  writeConcurrency?: number;
}

export const SALESFORCE_DEFAULTS = {
  apiVersion: '62.0',
  object: 'Opportunity',
  externalIdField: 'CoSell_Id__c',
  pageSize: 2000,
  bulkThreshold: 10_000,
  bulkPageSize: 10_000,
  settleMs: 5000,
  batchSize: 200,
  writeConcurrency: 4,
} as const;

/** Ids per `WHERE Id IN (...)` query: 200 quoted ids keep the GET URL well under 16 KB. */
const IDS_PER_QUERY = 200;
/** sObject Collections take at most 200 records per call. */
export const COLLECTION_LIMIT = 200;

export function createSalesforceConnector(options: SalesforceConnectorOptions, deps: { logger: Logger }): CrmConnector {
  const o = { ...SALESFORCE_DEFAULTS, ...options };
  if (!/^\d+\.\d$/.test(o.apiVersion) || Number(o.apiVersion) < 47) throw new ConfigError(`salesforce apiVersion must be 47.0 or later (upsert collections, Bulk API 2.0 query), got ${o.apiVersion}`);
  if (!Number.isInteger(o.pageSize) || o.pageSize < 200 || o.pageSize > 2000) throw new ConfigError('salesforce pageSize must be within 200..2000');
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new ConfigError(`salesforce batchSize must be a whole number of records, 1 or more, got ${o.batchSize}`);
  if (!Number.isInteger(o.writeConcurrency) || o.writeConcurrency < 1 || o.writeConcurrency > 8) throw new ConfigError(`salesforce writeConcurrency must be within 1..8, got ${o.writeConcurrency}`);
  if (!Number.isInteger(o.settleMs) || o.settleMs < 0 || o.settleMs > 3_600_000) throw new ConfigError(`salesforce settleMs must be a whole number of milliseconds within 0..3600000, got ${o.settleMs}`);
  assertIdentifier(o.object);
  assertIdentifier(o.externalIdField);
  const logger = deps.logger.child({ module: 'salesforce', connector: o.name });
  const now = o.now ?? Date.now;
  const client = new SalesforceClient({ loginUrl: o.loginUrl, apiVersion: o.apiVersion, auth: o.auth, retry: validateRetryPolicy(o.retry ?? DEFAULT_RETRY_POLICY), logger, now, timeoutMs: checkTimeout(o.timeoutMs, `salesforce connector ${o.name}`) });
  const filterFields = o.filter.all.map((c) => c.field);
  const filterSoql = filterToSoql(o.filter, { allowed: filterFields });
  let describeCache: Promise<ObjectMetadata> | null = null;
  const describe = (): Promise<ObjectMetadata> => {
    describeCache ??= client.call('describe', (conn) => conn.describe(o.object)).then(normaliseDescribe);
    describeCache.catch(() => (describeCache = null));
    return describeCache;
  };
  const readCtx: ReadContext = {
    client,
    object: o.object,
    apiVersion: o.apiVersion,
    filterSoql,
    filterFields,
    pageSize: o.pageSize,
    bulkThreshold: o.bulkThreshold,
    bulkPageSize: o.bulkPageSize,
    logger,
    now,
    settleMs: o.settleMs,
    fieldTypes: async () => new Map((await describe()).fields.map((f) => [f.name.toLowerCase(), f.type])),
  };

  return {
    kind: 'salesforce',
    idField: 'Id',
    name: o.name,
    readChanges: (params: ReadChangesParams): AsyncIterable<ChangePage> => readChanges(readCtx, params),
    forgetRead,
    async readRecords(ids: readonly string[], fields: readonly string[]): Promise<CrmRecord[]> {
      const select = selectList(fields);
      for (const f of select) assertFieldName(f, select);
      const out: CrmRecord[] = [];
      for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
        const soql = `SELECT ${select.join(', ')} FROM ${o.object} WHERE Id IN ${idList(ids.slice(i, i + IDS_PER_QUERY))}`;
        let page = QueryPage.parse(await client.call('readRecords', async (conn) => await conn.query(soql, { autoFetch: false })));
        out.push(...page.records.map((r) => toCrmRecord(r, fields)));
        // An org may answer in smaller batches than asked ("Query": the batch can hold fewer
        // records, depending on their size): the rest follows nextRecordsUrl.
        for (let next = page.nextRecordsUrl; !page.done && next !== undefined; next = page.nextRecordsUrl) {
          const url = next;
          page = QueryPage.parse(await client.call('readRecords', async (conn) => await conn.queryMore(url).execute({ autoFetch: false })));
          out.push(...page.records.map((r) => toCrmRecord(r, fields)));
        }
      }
      return out;
    },
    writeBatch: (ops: readonly WriteOperation[]): Promise<WriteResult[]> => writeBatch({ client, object: o.object, externalIdField: o.externalIdField, chunkSize: Math.min(COLLECTION_LIMIT, o.batchSize), concurrency: o.writeConcurrency, retry: client.retryPolicy }, ops),
    describe,
    currencyRates: () => readCurrencyRates(client),
    apiUsage: (): ApiUsage => ({ calls: client.calls, ...client.limitInfo() }),
    async close(): Promise<void> {
      // Tokens are bearer tokens without a refresh token; nothing to revoke or flush.
    },
  };
}
