/** Configuration of one Dynamics 365 connector instance, with its defaults. */
import type { ParticipationFilter } from '../../src/ports/connector';
import type { RetryPolicy } from '../../src/retry';

interface AuthBase {
  tenantId: string;
  clientId: string;
  /**
   * Entra ID authority; default `https://login.microsoftonline.com/<tenantId>`. A loopback
   * `http://127.0.0.1:<port>/<tenant>` authority (the simulator) is accepted: see connectors/shared/msal-authority.ts.
   */
  authority?: string;
}

export type DynamicsAuth =
  | (AuthBase & { clientSecret: string })
  | (AuthBase & { certificate: { thumbprint: string; privateKey: string } });

export interface DynamicsConnectorOptions {
  name: string;
  /** Organisation URL, e.g. https://contoso.crm.dynamics.com (no trailing /api/data). */
  url: string;
  auth: DynamicsAuth;
  entitySet?: string;
  /** Which rows take part in the sync; applied client-side on change-tracking reads (see read-changes.ts). */
  filter?: ParticipationFilter;
  /** Alternate key column holding the co-sell id (idempotent creates). */
  alternateKey?: string;
  /** Rows per page (`Prefer: odata.maxpagesize`), at most 5000. */
  pageSize?: number;
  /** Requests per `$batch`, at most 1000. */
  batchSize?: number;
  /** `$batch` requests in flight at once for one writeBatch (1..8, default 4). */
  writeConcurrency?: number;
  retry?: Partial<RetryPolicy>;
  /** Web API version segment. */
  apiVersion?: string;
  /** Bound on connecting and on each whole request, in ms (default 30 s). */
  timeoutMs?: number;
}

export const DYNAMICS_DEFAULTS = {
  entitySet: 'opportunities',
  alternateKey: 'cosell_cosellid',
  pageSize: 5000,
  batchSize: 1000,
  writeConcurrency: 4,
  apiVersion: 'v9.2',
} as const satisfies Partial<DynamicsConnectorOptions>;

/** The opportunity table's key and the lookups the connector translates (read `_x_value`, write `x@odata.bind`). */
export const OPPORTUNITY_KEY = 'opportunityid';
export const LOOKUP_SETS: Readonly<Record<string, string>> = {
  transactioncurrencyid: 'transactioncurrencies',
  campaignid: 'campaigns',
  customerid: 'accounts',
  parentaccountid: 'accounts',
};
