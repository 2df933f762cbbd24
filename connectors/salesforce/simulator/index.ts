/**
 * An in-memory Salesforce org on 127.0.0.1 that speaks enough of the real REST protocol for
 * jsforce and the connector to run unchanged: OAuth token endpoint, query/queryMore/queryAll,
 * sObject CRUD and upsert, sObject Collections, getUpdated/getDeleted, describe, limits and Bulk
 * API 2.0 query jobs. Admin controls are on the returned object and under /__admin/.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminHttp, createAdmin, type SimAdmin } from './admin';
import { ApiAllocation } from './allocation';
import { SimAuth, type SimAuthConfig } from './auth';
import { bulkRoutes } from './bulk';
import { collectionRoutes } from './collection-routes';
import { FaultInjector } from './faults';
import { makeId } from './ids';
import { queryRoutes } from './query-routes';
import { createHandler, limitsRoute, type ServerState } from './server';
import { sobjectRoutes } from './sobject-routes';
import { SimStore } from './store';

export type { FaultKind, FaultSpec } from './faults';
export type { SimAuthConfig } from './auth';
export type { SimAdmin, SimStats } from './admin';
export { STAGES } from './schema';

export interface SalesforceSimulatorOptions {
  port?: number;
  /** Added to every API call. */
  latencyMs?: number;
  /**
   * getUpdated/getDeleted ignore the seconds of start and end, as a real org does (a delete shows
   * only once its minute has passed), and earliestDateAvailable is a whole minute. On by default.
   */
  ignoreReplicationSeconds?: boolean;
  /**
   * SystemModstamp in whole seconds of the org's clock at write time, as a real org stamps (many
   * writes share a stamp). On by default; off, every write moves the stamp by at least 1 ms.
   */
  wholeSecondStamps?: boolean;
  /**
   * Lookup fields (CampaignId, AccountId) must name an existing record of their object, as in a
   * real org (MALFORMED_ID, INVALID_CROSS_REFERENCE_KEY). On by default.
   */
  checkLookups?: boolean;
  /** Opportunities created at start (validation applies). */
  seed?: Array<Record<string, unknown>>;
  /** Without it any client id/secret and any well-formed JWT is accepted. */
  auth?: SimAuthConfig;
  /** Daily API request allocation: reported in Sforce-Limit-Info and /limits, enforced over 24 hours. */
  apiLimit?: number;
}

export interface SalesforceSimulator extends SimAdmin {
  readonly url: string;
  readonly orgId: string;
  readonly userId: string;
  close(): Promise<void>;
}

export async function startSalesforceSimulator(options: SalesforceSimulatorOptions = {}): Promise<SalesforceSimulator> {
  const store = new SimStore();
  store.ignoreReplicationSeconds = options.ignoreReplicationSeconds ?? true;
  store.wholeSecondStamps = options.wholeSecondStamps ?? true;
  store.checkLookups = options.checkLookups ?? true;
  const faults = new FaultInjector();
  const orgId = makeId('00D', 1);
  const userId = makeId('005', 1);
  let url = '';
  const auth = new SimAuth(options.auth, { url: () => url, orgId, userId }, () => store.now());
  const state: ServerState = {
    store,
    auth,
    faults,
    routes: [],
    baseUrl: () => url,
    latencyMs: options.latencyMs ?? 0,
    allocation: new ApiAllocation(options.apiLimit ?? 100_000, () => store.now()),
    apiCalls: 0,
    callsByKind: new Map(),
    inFlight: 0,
    peakInFlight: 0,
    admin: () => ({ status: 404 }),
  };
  const counters = {
    get apiCalls() {
      return state.apiCalls;
    },
    set apiCalls(v: number) {
      state.apiCalls = v;
    },
    callsByKind: state.callsByKind,
    get peakInFlight() {
      return state.peakInFlight;
    },
    set peakInFlight(v: number) {
      state.peakInFlight = v;
    },
  };
  const admin = createAdmin({ store, faults, auth, version: '62.0', counters, allocation: state.allocation });
  state.routes = [...queryRoutes, ...collectionRoutes, ...bulkRoutes, limitsRoute(state), ...sobjectRoutes];
  state.admin = adminHttp(admin);
  const server = createServer(createHandler(state));
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (options.seed) admin.seed(options.seed);
  return {
    ...admin,
    url,
    orgId,
    userId,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
