/**
 * The daemon configuration schema (zod 4, strict objects). Values are checked after `${ENV}`
 * references are resolved; connectors and auth blocks are picked by `kind` / `flow` before their
 * strict schema applies, so a typo is reported against the right set of keys.
 */
import { z } from 'zod';
import { OWNERS } from '../mapping/schema';
import { NOTIFICATIONS_SCHEMA } from '../notify/settings';
import { PARTNER_CENTER_SCHEMA } from './partner-center';
import { strictObject } from './zod-issues';

const text = z.string().min(1);
const url = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });
const filterValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const FILTER_OPS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in'] as const;
const condition = strictObject({
  field: text,
  op: z.enum(FILTER_OPS),
  value: z.union([filterValue, z.array(filterValue).min(1)]),
}).refine((c) => (c.op === 'in') === Array.isArray(c.value), { message: 'op in takes a list of values, other ops a single value', path: ['value'] });

const options = strictObject({
  /** Records per read page (Salesforce query batch size, Dataverse odata.maxpagesize). */
  pageSize: z.int().min(1).max(5000).default(2000),
  /** Above this many changed records, Salesforce reads go through Bulk API 2.0. */
  bulkThreshold: z.int().min(1).default(2000),
  /** Records per write call (sObject Collections: at most 200; Dataverse $batch: at most 1000). */
  batchSize: z.int().min(1).max(1000).default(200),
  /**
   * Write calls a push keeps in flight at once; a push batch is batchSize x writeConcurrency
   * records. Salesforce locks an opportunity's parent account while it is written: rows refused
   * with UNABLE_TO_LOCK_ROW are retried, and 1 writes one call at a time.
   */
  writeConcurrency: z.int().min(1).max(8).default(4),
  /** Per-request timeout. */
  timeoutMs: z.int().min(1000).default(30000),
  maxRetries: z.int().min(0).max(20).default(5),
  /**
   * Salesforce: each read starts this many milliseconds behind the cursor and skips what it already
   * read, so a change whose transaction commits late, stamped before the cursor, is still read.
   */
  settleMs: z.int().min(0).max(3_600_000).default(5000),
  /**
   * Which co-sell opportunities that did not come from this CRM are created in it: `inbound`
   * referrals only (default), `all` (also those created in another connected CRM), or `none`.
   */
  publish: z.enum(['all', 'inbound', 'none']).default('inbound'),
  /** Which inbound referrals this CRM takes: by customer country (ISO-2), by solution id, or all. */
  inbound: z
    .discriminatedUnion('by', [
      strictObject({ by: z.literal('all') }),
      strictObject({ by: z.literal('country'), values: z.array(z.string().regex(/^[A-Za-z]{2}$/, 'expected an ISO-2 country code')).min(1) }),
      strictObject({ by: z.literal('solution'), values: z.array(text).min(1) }),
    ])
    .default({ by: 'all' }),
});

const common = {
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'expected letters, digits, - and _'),
  enabled: z.boolean().default(true),
  object: text.optional(),
  participation: z.array(condition).default([]),
  schedule: text.default('*/5 * * * *'),
  mapping: text,
  options: options.default(options.parse({})),
};

export const SALESFORCE_AUTH = {
  jwt: strictObject({ flow: z.literal('jwt'), clientId: text, username: text, privateKeyFile: text }),
  client_credentials: strictObject({ flow: z.literal('client_credentials'), clientId: text, clientSecret: text }),
} as const;

export const SALESFORCE_CONNECTOR = strictObject({
  ...common,
  kind: z.literal('salesforce'),
  loginUrl: url.default('https://login.salesforce.com'),
  instanceUrl: url.optional(),
  apiVersion: z.string().regex(/^\d+\.\d$/, 'expected a version such as 62.0').default('62.0'),
  auth: z.unknown(),
});

export const DYNAMICS_AUTH = strictObject({
  tenantId: text,
  clientId: text,
  clientSecret: text.optional(),
  certificate: strictObject({ thumbprint: text, privateKeyFile: text }).optional(),
  authority: url.optional(),
}).refine((a) => (a.clientSecret === undefined) !== (a.certificate === undefined), {
  message: 'give exactly one of clientSecret or certificate',
});

export const DYNAMICS_CONNECTOR = strictObject({
  ...common,
  kind: z.literal('dynamics'),
  /** The environment URL, e.g. https://contoso.crm.dynamics.com. */
  url,
  apiVersion: z.string().regex(/^\d+\.\d$/, 'expected a version such as 9.2').default('9.2'),
  auth: DYNAMICS_AUTH,
});

export const STORE_SCHEMA = {
  sqlite: strictObject({ driver: z.literal('sqlite'), path: text.default('./data/cosell-sync.db') }),
  postgres: strictObject({ driver: z.literal('postgres'), url: text, poolSize: z.int().min(1).max(100).default(10) }),
} as const;

export const CONFIG_SCHEMA = strictObject({
  version: z.literal(1).default(1),
  store: z.unknown().optional(),
  connectors: z.array(z.unknown()).default([]),
  reconciliation: strictObject({
    terminalConflicts: z.enum(['flag', 'enforce']).default('flag'),
    defaultOwner: z.enum(OWNERS).default('crm'),
    // R16 makes a committed terminal stage final, so the first committed outcome is the only precedence.
    terminalPrecedence: z.enum(['first-committed']).default('first-committed'),
    illegalCrmMoves: z.enum(['accept-then-apply', 'conflict']).default('accept-then-apply'),
    /** `conflicts resolve` and `dead-letters retry` wait this long for a running sync of the instance, then queue the push for its next run. */
    reviewLeaseWaitMs: z.int().min(0).max(600_000).default(10_000),
  }).default({ terminalConflicts: 'flag', defaultOwner: 'crm', terminalPrecedence: 'first-committed', illegalCrmMoves: 'accept-then-apply', reviewLeaseWaitMs: 10_000 }),
  logging: strictObject({
    level: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
    format: z.enum(['json', 'pretty', 'auto']).default('auto'),
  }).default({ level: 'info', format: 'auto' }),
  http: strictObject({
    port: z.int().min(0).max(65535).default(8080),
    host: text.default('127.0.0.1'),
    adminToken: text.optional(),
    stalledAfterMs: z.int().min(1000).optional(),
  }).default({ port: 8080, host: '127.0.0.1' }),
  expiry: strictObject({ schedule: text.default('*/15 * * * *') }).default({ schedule: '*/15 * * * *' }),
  notifications: NOTIFICATIONS_SCHEMA.optional(),
  partnerCenter: PARTNER_CENTER_SCHEMA.optional(),
});
