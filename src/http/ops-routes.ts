/** Admin API for ops: status, conflicts, dead letters, on-demand sync runs. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../app';
import { NotFoundError } from '../cli/operations/errors';
import { parseInput } from '../cli/operations/input-schemas';
import { instanceStatus } from '../cli/operations/status';
import { listUnrouted } from '../sync/unrouted';
import type { RunSummary } from '../sync/types';
import { guarded, queryValue, type Reply } from './respond';

type IdRequest = FastifyRequest<{ Params: { id: string }; Body: unknown }>;
type ConnectorRequest = FastifyRequest<{ Params: { connector: string }; Querystring: Record<string, string | undefined>; Body: unknown }>;
type ListRequest = FastifyRequest<{ Querystring: Record<string, string | undefined> }>;

/** Runs one pass of one instance; null when one is already going. */
export type RunSync = (connector: string, dryRun: boolean) => Promise<RunSummary | null>;

const resolveBody = z.strictObject({ keep: z.enum(['crm', 'cosell']) });
const syncBody = z.strictObject({ dryRun: z.boolean().default(false) });
/** A page is 1-500 rows: a negative or zero limit would lift the cap on SQLite (LIMIT -1 is no limit). */
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });

function numericId(raw: string, entity: string): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id < 1) throw new NotFoundError(entity, raw);
  return id;
}

const engineOutcome = (result: { ok: boolean; message: string }): Reply => ({
  status: result.ok ? 200 : 409,
  body: result.ok ? result : { error: 'not_done', ...result },
});

export function registerOpsRoutes(server: FastifyInstance, app: App, runSync: RunSync): void {
  const { store, logger: log } = app;

  server.get('/status', guarded(log, () => 'status', async () => ({
    body: {
      connectors: await instanceStatus(store, app.clock.now(), app.engine.connectorNames()),
      health: app.connectorStatus(),
      unrouted: await listUnrouted(store, app.config.connectors),
    },
  })));

  server.get('/conflicts', guarded(log, () => 'list conflicts', async (request: ListRequest) => {
    const status = queryValue(request.query['status']) ?? 'pending';
    const connector = queryValue(request.query['connector']);
    const raw = queryValue(request.query['limit']);
    const { limit } = parseInput(listQuery, raw === undefined ? {} : { limit: raw }, 'query');
    const filter = { ...(status === 'all' ? {} : { status: status === 'resolved' ? ('resolved' as const) : ('pending' as const) }), ...(connector ? { connector } : {}), limit };
    return { body: { items: await store.listConflicts(filter) } };
  }));

  server.get('/conflicts/:id', guarded(log, (r: IdRequest) => `show conflict ${r.params.id}`, async (request: IdRequest) => {
    const conflict = await store.getConflict(numericId(request.params.id, 'conflict'));
    if (conflict === null) throw new NotFoundError('conflict', request.params.id);
    return { body: conflict };
  }));

  server.post('/conflicts/:id/resolve', guarded(log, (r: IdRequest) => `resolve conflict ${r.params.id}`, async (request: IdRequest) => {
    const id = numericId(request.params.id, 'conflict');
    const { keep } = parseInput(resolveBody, request.body ?? {}, 'resolve request');
    if ((await store.getConflict(id)) === null) throw new NotFoundError('conflict', request.params.id);
    return engineOutcome(await app.engine.resolveConflict(id, keep));
  }));

  server.get('/dead-letters', guarded(log, () => 'list dead letters', async (request: ListRequest) => {
    const connector = queryValue(request.query['connector']);
    const all = queryValue(request.query['all']) === 'true';
    return { body: { items: await store.listDeadLetters({ unresolvedOnly: !all, ...(connector ? { connector } : {}), limit: 500 }) } };
  }));

  server.post('/dead-letters/:id/retry', guarded(log, (r: IdRequest) => `retry dead letter ${r.params.id}`, async (request: IdRequest) => {
    const id = numericId(request.params.id, 'dead letter');
    if ((await store.getDeadLetter(id)) === null) throw new NotFoundError('dead letter', request.params.id);
    return engineOutcome(await app.engine.retryDeadLetter(id));
  }));

  server.post('/sync/:connector', guarded(log, (r: ConnectorRequest) => `sync ${r.params.connector}`, async (request: ConnectorRequest) => {
    const { connector } = request.params;
    const { dryRun } = parseInput(syncBody, request.body ?? {}, 'sync request');
    if (!app.engine.connectorNames().includes(connector)) throw new NotFoundError('connector instance', connector);
    const summary = await runSync(connector, dryRun || queryValue(request.query['dryRun']) === 'true');
    if (summary === null && (await store.getRunControl(connector))?.paused === true) {
      return { status: 409, body: { error: 'paused', message: `${connector} is paused: resume it to run it` } };
    }
    if (summary === null) return { status: 409, body: { error: 'busy', message: `a run of ${connector} is already going` } };
    return { status: summary.error === null ? 200 : 502, body: summary };
  }));
}
