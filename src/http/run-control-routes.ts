/**
 * Admin API of run control: pause and resume a connector instance, a full resync, a record resync
 * with a dry-run preview, and the operator action log. The actor recorded is `admin-api`, or
 * `admin-api:<by>` when the body names who acts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../cli/operations/input-schemas';
import type { Logger } from '../log';
import type { OperatorActions } from '../services/operator-actions';
import { guarded, queryValue } from './respond';

type ConnectorRequest = FastifyRequest<{ Params: { connector: string }; Body: unknown }>;
type ListRequest = FastifyRequest<{ Querystring: Record<string, string | undefined> }>;

const by = z.string().trim().min(1).max(100).regex(/^[\w.@ -]+$/, 'letters, digits, space and . @ - _ only').optional();
const pauseBody = z.strictObject({ by, reason: z.string().max(500).optional() });
const actorBody = z.strictObject({ by });
const recordBody = z.strictObject({ by, externalId: z.string(), dryRun: z.boolean().default(true) });

const actorOf = (name: string | undefined): string => (name === undefined ? 'admin-api' : `admin-api:${name}`);

export function registerRunControlRoutes(server: FastifyInstance, actions: OperatorActions, log: Logger): void {
  server.get('/run-control', guarded(log, () => 'run control', async () => ({ body: { items: await actions.runControl() } })));

  server.get('/operator-actions', guarded(log, () => 'list operator actions', async (request: ListRequest) => {
    const connector = queryValue(request.query['connector']);
    const limit = Math.min(500, Number(queryValue(request.query['limit']) ?? 100) || 100);
    return { body: { items: await actions.recent({ ...(connector ? { connector } : {}), limit }) } };
  }));

  server.post('/run-control/:connector/pause', guarded(log, (r: ConnectorRequest) => `pause ${r.params.connector}`, async (request: ConnectorRequest) => {
    const body = parseInput(pauseBody, request.body ?? {}, 'pause request');
    return { body: await actions.pause({ connector: request.params.connector, actor: actorOf(body.by), reason: body.reason ?? null }) };
  }));

  server.post('/run-control/:connector/resume', guarded(log, (r: ConnectorRequest) => `resume ${r.params.connector}`, async (request: ConnectorRequest) => {
    const body = parseInput(actorBody, request.body ?? {}, 'resume request');
    return { body: await actions.resume({ connector: request.params.connector, actor: actorOf(body.by) }) };
  }));

  server.post('/run-control/:connector/full-resync', guarded(log, (r: ConnectorRequest) => `full resync ${r.params.connector}`, async (request: ConnectorRequest) => {
    const body = parseInput(actorBody, request.body ?? {}, 'full resync request');
    const result = await actions.fullResync({ connector: request.params.connector, actor: actorOf(body.by) });
    return { status: result.ok ? 202 : 409, body: result.ok ? result : { error: 'busy', ...result } };
  }));

  server.post('/run-control/:connector/resync-record', guarded(log, (r: ConnectorRequest) => `resync record of ${r.params.connector}`, async (request: ConnectorRequest) => {
    const body = parseInput(recordBody, request.body ?? {}, 'record resync request');
    const result = await actions.resyncRecord({ connector: request.params.connector, externalId: body.externalId, dryRun: body.dryRun, actor: actorOf(body.by) });
    return { status: result.ok ? 200 : 409, body: result.ok ? result : { error: 'not_done', ...result } };
  }));
}
