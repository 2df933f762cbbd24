/**
 * A Dataverse Web API (v9.2) and Entra ID token endpoint on 127.0.0.1, backed by memory, for
 * tests and local runs of the Dynamics 365 connector. Fault injection (latency, 429 + Retry-After,
 * 5xx, connection resets, token expiry) and an admin surface (methods here, HTTP under /__admin/).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAction } from './actions';
import { handleAdmin } from './admin';
import { handleBatch } from './batch';
import { API_PREFIX, CODES, dvError, SimFailure, type Fault, type SimContext, type SimRequest, type SimResponse, type SimStats } from './context';
import { handleEntities } from './entities';
import { handleMetadata } from './metadata';
import { DEFAULT_CURRENCIES, seedRows, updateRow } from './seed';
import { SimStore, type Row } from './store';
import { instanceDiscovery, issueToken, openIdConfiguration, tokenValid, type SimClient, type TokenState } from './token';

export type { SimClient } from './token';
export type { Fault, FaultKind, SimStats } from './context';

export interface DynamicsSimulatorOptions {
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

function dispatch(ctx: SimContext, req: SimRequest): SimResponse {
  try {
    if (req.path === '$batch' && req.method === 'POST') return handleBatch(ctx, req, (inner) => dispatch(ctx, inner));
    const res = handleAction(ctx, req) ?? handleMetadata(ctx, req) ?? handleEntities(ctx, req);
    return res ?? dvError(404, CODES.notFound, `Resource not found for the segment '${req.path}'.`);
  } catch (error) {
    if (error instanceof SimFailure) return error.response;
    return dvError(500, CODES.unexpected, error instanceof Error ? error.message : String(error));
  }
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

function send(res: ServerResponse, reply: SimResponse): void {
  res.writeHead(reply.status, reply.headers);
  res.end(reply.body);
}

/** Requests in the current 5-minute service-protection window (6000 allowed per user). */
function requestWindow(): { remaining(at: number): number } {
  let start = 0;
  let count = 0;
  return {
    remaining(at) {
      if (at - start > 300_000) {
        start = at;
        count = 0;
      }
      count++;
      return Math.max(0, 6000 - count);
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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
    stats: { apiRequests: 0, batchRequests: 0, tokenRequests: 0 },
  };
  const tokens: TokenState = {
    clients: options.clients ?? [DEFAULT_CLIENT],
    lifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
    issued: new Map(),
    now,
  };
  const window = requestWindow();
  const currencies: Record<string, string> = {};
  for (const c of DEFAULT_CURRENCIES) {
    const row = store.write('transactioncurrencies', { isocurrencycode: c.iso, currencyname: c.name });
    currencies[c.iso] = String(row.transactioncurrencyid);
  }

  let origin = '';
  const server = createServer((req, res) => {
    void (async (): Promise<void> => {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', origin);
      const method = req.method ?? 'GET';
      if (url.pathname.startsWith('/__admin/')) return send(res, handleAdmin(sim, method, url.pathname, body));
      if (method === 'GET' && url.pathname === '/common/discovery/instance') return send(res, instanceDiscovery(origin, url.host));
      const oidc = /^\/([\w.-]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname);
      if (method === 'GET' && oidc?.[1]) return send(res, openIdConfiguration(origin, oidc[1]));
      if (method === 'POST' && url.pathname === `/${tenantId}/oauth2/v2.0/token`) {
        ctx.stats.tokenRequests++;
        return send(res, issueToken(tokens, new URLSearchParams(body)));
      }
      if (!url.pathname.startsWith(API_PREFIX)) return send(res, dvError(404, '', 'Not found'));
      ctx.stats.apiRequests++;
      const fault = ctx.faults.find((f) => f.times > 0);
      if (fault) {
        fault.times--;
        ctx.faults = ctx.faults.filter((f) => f.times > 0);
        if (fault.kind === 'reset') return void req.socket.destroy();
        if (fault.kind === 'latency') await sleep(fault.latencyMs ?? 50);
        if (fault.kind === 'rate_limit') {
          const msg = 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.';
          return send(res, dvError(429, CODES.rateLimitRequests, msg, { 'Retry-After': String(fault.retryAfterSeconds ?? 1) }));
        }
        if (fault.kind === 'server_error') return send(res, dvError(503, CODES.unexpected, 'An unexpected error occurred.'));
      }
      if (!tokenValid(tokens, req.headers.authorization)) {
        res.writeHead(401, { 'WWW-Authenticate': `Bearer authorization_uri=${origin}/${tenantId}/oauth2/authorize, resource_id=${origin}/` });
        return void res.end();
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const path = decodeURIComponent(url.pathname.slice(API_PREFIX.length));
      const reply = dispatch(ctx, { method, path, query: url.searchParams, headers, body });
      // Dataverse reports the caller's remaining service-protection budget on each response.
      reply.headers['x-ms-ratelimit-burst-remaining-xrm-requests'] = String(window.remaining(now().getTime()));
      send(res, reply);
    })().catch((error: unknown) => {
      if (!res.headersSent) send(res, dvError(500, CODES.unexpected, error instanceof Error ? error.message : String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
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
