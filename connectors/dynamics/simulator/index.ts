/**
 * A Dataverse Web API (v9.2) and Entra ID token endpoint on 127.0.0.1, backed by memory, for
 * tests and local runs of the Dynamics 365 connector. Fault injection (latency, 429 + Retry-After,
 * 5xx, connection resets, token expiry) and an admin surface (methods here, HTTP under /__admin/).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './admin';
import { CODES, type Fault, type SimContext, type SimStats } from './context';
import { DEFAULT_CURRENCIES, seedRows, updateRow } from './seed';
import { requestListener, requestWindow } from './server';
import { SimStore, type Row } from './store';
import type { SimClient, TokenState } from './token';

export type { SimClient } from './token';
export type { Fault, FaultKind, SimStats } from './context';

export interface DynamicsSimulatorOptions {
  /** Loopback port; default any free one. */
  port?: number;
  tenantId?: string;
  /** Registered confidential clients; default one with a client secret (see `clientId`/`clientSecret`). */
  clients?: SimClient[];
  tokenLifetimeSeconds?: number;
  /** Delta tokens older than this are refused as expired (Dataverse: ExpireChangeTrackingInDays, 7 days). */
  deltaTokenLifetimeMs?: number;
  now?: () => Date;
}

export type SimFault = Fault | { kind: 'expire_session' };

export interface DynamicsSimulator {
  /** Organisation URL, e.g. http://127.0.0.1:PORT (the Web API lives under /api/data/v9.2). */
  url: string;
  apiBase: string;
  tenantId: string;
  /** Authority (loopback http) and its token endpoint. */
  authority: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** ISO code -> transactioncurrencyid of the seeded currencies. */
  currencies: Record<string, string>;
  seed(records: ReadonlyArray<Record<string, unknown>>, entitySet?: string): string[];
  update(id: string, fields: Record<string, unknown>, entitySet?: string): boolean;
  remove(id: string, entitySet?: string): boolean;
  get(id: string, entitySet?: string): Row | null;
  list(entitySet?: string): Row[];
  count(entitySet?: string): number;
  injectFault(fault: SimFault): void;
  clearFaults(): void;
  addValidationRule(rule: { field: string; equals: unknown; message: string; code?: string }): void;
  clearValidationRules(): void;
  /** Every delta token issued so far becomes expired. */
  expireDeltaTokens(): void;
  /** Every access token issued so far stops working (the next Web API call gets a 401). */
  expireAccessTokens(): void;
  stats(): SimStats;
  close(): Promise<void>;
}

const DEFAULT_CLIENT = { clientId: 'cosell-sync-sim-client', clientSecret: 'cosell-sync-sim-secret' };

export async function startDynamicsSimulator(options: DynamicsSimulatorOptions = {}): Promise<DynamicsSimulator> {
  const now = options.now ?? ((): Date => new Date());
  const tenantId = options.tenantId ?? 'cosell-sim-tenant';
  const store = new SimStore(now);
  const ctx: SimContext = {
    store,
    apiBase: '',
    now,
    deltaTokenLifetimeMs: options.deltaTokenLifetimeMs ?? 7 * 24 * 3600 * 1000,
    minDeltaVersion: 0,
    rules: [],
    faults: [],
    stats: { apiRequests: 0, batchRequests: 0, tokenRequests: 0, peakConcurrentRequests: 0 },
  };
  const tokens: TokenState = {
    clients: options.clients ?? [DEFAULT_CLIENT],
    lifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
    issued: new Map(),
    now,
  };
  const currencies: Record<string, string> = {};
  for (const c of DEFAULT_CURRENCIES) {
    const row = store.write('transactioncurrencies', { isocurrencycode: c.iso, currencyname: c.name, exchangerate: c.exchangerate });
    currencies[c.iso] = String(row.transactioncurrencyid);
  }

  let origin = '';
  const server = createServer(
    requestListener({ ctx, tokens, tenantId, origin: () => origin, admin: (m, p, b) => handleAdmin(sim, m, p, b), window: requestWindow() }),
  );
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  ctx.apiBase = `${origin}/api/data/v9.2`;

  const sim: DynamicsSimulator = {
    url: origin,
    apiBase: ctx.apiBase,
    tenantId,
    authority: `${origin}/${tenantId}`,
    tokenUrl: `${origin}/${tenantId}/oauth2/v2.0/token`,
    clientId: DEFAULT_CLIENT.clientId,
    clientSecret: DEFAULT_CLIENT.clientSecret,
    currencies,
    seed: (records, entitySet = 'opportunities') => seedRows(ctx, entitySet, records),
    update: (id, fields, entitySet = 'opportunities') => updateRow(ctx, entitySet, id, fields),
    remove: (id, entitySet = 'opportunities') => store.remove(entitySet, id),
    get: (id, entitySet = 'opportunities') => {
      const row = store.table(entitySet)?.rows.get(id);
      return row ? { ...row } : null;
    },
    list: (entitySet = 'opportunities') => [...(store.table(entitySet)?.rows.values() ?? [])].map((r) => ({ ...r })),
    count: (entitySet = 'opportunities') => store.table(entitySet)?.rows.size ?? 0,
    injectFault: (fault) => {
      if (fault.kind === 'expire_session') tokens.issued.clear();
      else ctx.faults.push({ ...fault });
    },
    clearFaults: () => {
      ctx.faults = [];
    },
    addValidationRule: (rule) => {
      ctx.rules.push({ ...rule, code: rule.code ?? CODES.pluginAbort });
    },
    clearValidationRules: () => {
      ctx.rules = [];
    },
    expireDeltaTokens: () => {
      ctx.minDeltaVersion = store.tick();
    },
    expireAccessTokens: () => tokens.issued.clear(),
    stats: () => ({ ...ctx.stats }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return sim;
}
