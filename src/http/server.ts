/**
 * The HTTP side of the daemon (fastify): `/healthz`, `/readyz`, `/metrics`, and the admin API
 * under `/api`, behind the configured Bearer token. No request body, header or token is logged.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { App, ConnectorHealth } from '../app';
import type { Liveness } from '../daemon/liveness';
import type { Metrics } from '../metrics';
import { refreshWithin } from './metrics-refresh';
import { bearerMatches } from './auth';
import { registerOpportunityRoutes } from './opportunity-routes';
import { registerOpsRoutes, type RunSync } from './ops-routes';
import { registerRegistrationRoutes } from './registration-routes';
import { registerPartnerCenterWebhook, type PartnerCenterWebhookOptions } from './partner-center-webhook';
import { registerRunControlRoutes } from './run-control-routes';
import { OperatorActions } from '../services/operator-actions';
import { registerConsole } from './console/register';

export interface Readiness {
  /** The configuration is loaded and the scheduler started. */
  configLoaded: boolean;
  stopping: boolean;
}

export interface HttpServerOptions {
  app: App;
  metrics: Metrics;
  /** Daemon state for /readyz; without it, a loaded app counts as ready. */
  readiness?: () => Readiness;
  /** How `POST /api/sync/:connector` runs (the daemon routes it through its scheduler). */
  runSync?: RunSync;
  /** Instances with a run going now, for the console's overview (the daemon's scheduler knows). */
  busy?: () => string[];
  /** How long /readyz waits for the store, in ms. */
  storeTimeoutMs?: number;
  /** The scheduler's progress; /healthz fails when it stalled. */
  liveness?: Liveness;
  /** How long /metrics waits for fresh store gauges before serving the last ones, in ms. Default 1000. */
  metricsStoreWaitMs?: number;
  /** `POST /webhooks/partner-center`, when Partner Center is configured. */
  partnerCenterWebhook?: PartnerCenterWebhookOptions;
}

async function storeAnswers(app: App, timeoutMs: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`store did not answer within ${timeoutMs} ms`), timeoutMs);
  });
  const probe = app.store.countOutbox().then(
    () => null,
    (error: unknown) => `store error: ${error instanceof Error ? error.message : String(error)}`,
  );
  const result = await Promise.race([probe, timeout]);
  clearTimeout(timer);
  return result;
}

/** Delegated grants (Partner Center's sign-in); a store failure reading them makes them not ready, with the reason. */
async function grantHealth(app: App): Promise<ConnectorHealth[]> {
  if (!app.grants) return [];
  try {
    return await app.grants.health();
  } catch (error) {
    return [{ name: 'grants', kind: 'grant', ready: false, reason: `grant state unreadable: ${error instanceof Error ? error.message : String(error)}` }];
  }
}

function adminAuth(token: string | null) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (bearerMatches(token, request.headers.authorization)) return;
    const message = token === null || token === '' ? 'admin API disabled: no admin token configured' : 'missing or wrong Bearer token';
    await reply.code(401).header('www-authenticate', 'Bearer realm="cosell-sync"').send({ error: 'unauthorized', message });
  };
}

/** `/healthz` (alive), `/readyz` (store answers, configuration loaded), `/metrics` (Prometheus text). */
function registerHealthRoutes(server: FastifyInstance, options: HttpServerOptions, readiness: () => Readiness): void {
  const { app, metrics } = options;
  server.get('/healthz', async (_request, reply) => {
    const report = options.liveness?.report();
    if (report?.stalled !== true) return { status: 'ok' };
    return reply.code(503).send({ status: 'stalled', reason: 'work was due with no progress', waiting: report.waiting });
  });

  server.get('/readyz', async (_request, reply) => {
    const state = readiness();
    const reasons: string[] = [];
    if (!state.configLoaded) reasons.push('configuration not loaded yet');
    if (state.stopping) reasons.push('daemon is stopping');
    const storeProblem = await storeAnswers(app, options.storeTimeoutMs ?? 2000);
    if (storeProblem !== null) reasons.push(storeProblem);
    const connectors = app.connectorStatus();
    const grants = await grantHealth(app);
    for (const g of grants) if (!g.ready) reasons.push(`${g.name}: ${g.reason ?? 'not ready'}`);
    return reply.code(reasons.length === 0 ? 200 : 503).send({ status: reasons.length === 0 ? 'ready' : 'not-ready', reasons, connectors, ...(app.grants ? { grants } : {}) });
  });

  server.get('/metrics', async (_request, reply) => {
    await refreshWithin({ metrics, app, waitMs: options.metricsStoreWaitMs ?? 1000 });
    return reply.type(metrics.contentType()).send(await metrics.text());
  });
}

export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const { app } = options;
  const server = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  const readiness = options.readiness ?? (() => ({ configLoaded: true, stopping: false }));
  const runSync: RunSync = options.runSync ?? ((connector, dryRun) => app.engine.runOnce({ connector, dryRun }));

  server.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const meta = { event: 'http.request', method: request.method, route, status: reply.statusCode, durationMs: Math.round(reply.elapsedTime) };
    if (route.startsWith('/api')) app.logger.info('http request', meta);
    else app.logger.debug('http request', meta);
  });

  registerHealthRoutes(server, options, readiness);
  const webhook = options.partnerCenterWebhook ?? app.partnerCenterWebhook;
  if (webhook) registerPartnerCenterWebhook(server, webhook);
  const actions = new OperatorActions({ store: app.store, engine: app.engine, clock: app.clock, logger: app.logger, startRun: (connector) => runSync(connector, false) });
  registerConsole(server, { app, metrics: options.metrics, actions, busy: options.busy ?? (() => []) });

  void server.register(
    async (api) => {
      api.addHook('onRequest', adminAuth(app.config.http.adminToken));
      registerOpportunityRoutes(api, app);
      registerRegistrationRoutes(api, app);
      registerOpsRoutes(api, app, runSync);
      registerRunControlRoutes(api, actions, app.logger);
    },
    { prefix: '/api' },
  );

  server.setErrorHandler(async (error: { statusCode?: number; message?: string }, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) app.logger.error('http request failed', { event: 'http.error', route: request.routeOptions.url, err: error });
    await reply.code(status).send({ error: status === 500 ? 'internal' : 'bad_request', message: status === 500 ? 'internal error' : (error.message ?? 'bad request') });
  });

  return server;
}
