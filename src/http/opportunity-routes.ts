/** Admin API over co-sell opportunities: the same operations as `cosell-sync opportunities`. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { App } from '../app';
import { parseCommandBody, type CommandName } from '../cli/operations/command-input';
import { InputError } from '../cli/operations/errors';
import {
  createOutbound,
  listOpportunities,
  receiveInbound,
  runCommand,
  showOpportunity,
  type OperationContext,
} from '../cli/operations/opportunities';
import type { StoredOpportunity } from '../store/types';
import { guarded, queryValue, type Reply } from './respond';

type IdRequest = FastifyRequest<{ Params: { id: string }; Body: unknown }>;
type ListRequest = FastifyRequest<{ Querystring: Record<string, string | string[] | undefined> }>;

const ADMIN_SOURCE = { kind: 'user', name: 'admin-api' } as const;
const ACTIONS = ['accept', 'decline', 'win', 'lose', 'favorite', 'unfavorite', 'invite'] as const satisfies readonly CommandName[];

const stored = (s: StoredOpportunity, status = 200): Reply => ({
  status,
  body: { version: s.version, updatedAt: s.updatedAt, opportunity: s.opportunity },
  headers: { etag: `"${s.version}"` },
});

/** `If-Match: "3"` (as sent back from an ETag) or a bare number. */
function ifMatch(request: FastifyRequest): number | undefined {
  const raw = request.headers['if-match'];
  if (raw === undefined) return undefined;
  const version = Number(String(raw).replace(/^W\//, '').replace(/"/g, ''));
  if (!Number.isInteger(version) || version < 1) throw new InputError('If-Match header', [{ path: 'If-Match', message: 'expected a version number' }]);
  return version;
}

export function registerOpportunityRoutes(server: FastifyInstance, app: App): void {
  const ctx: OperationContext = { store: app.store, clock: app.clock, source: ADMIN_SOURCE, ...(app.partners ? { partners: app.partners } : {}) };
  const log = app.logger;

  server.get('/opportunities', guarded(log, () => 'list opportunities', async (request: ListRequest) => {
    const q = request.query;
    const page = await listOpportunities(ctx, {
      view: queryValue(q['view']), stage: q['stage'], type: q['type'], direction: queryValue(q['direction']),
      search: queryValue(q['search']), limit: queryValue(q['limit']), cursor: queryValue(q['cursor']),
    });
    return { body: { items: page.items.map((i) => ({ ...i.opportunity, version: i.version })), nextCursor: page.nextCursor } };
  }));

  server.get('/opportunities/:id', guarded(log, (r: IdRequest) => `show opportunity ${r.params.id}`, async (request: IdRequest) => {
    const { stored: s, events } = await showOpportunity(ctx, request.params.id);
    return { body: { version: s.version, updatedAt: s.updatedAt, opportunity: s.opportunity, events }, headers: { etag: `"${s.version}"` } };
  }));

  server.post('/opportunities', guarded(log, () => 'create opportunity', async (request: IdRequest) => stored(await createOutbound(ctx, request.body), 201)));
  server.post('/opportunities/receive', guarded(log, () => 'receive opportunity', async (request: IdRequest) => stored(await receiveInbound(ctx, request.body), 201)));

  for (const action of ACTIONS) {
    server.post(`/opportunities/:id/${action}`, guarded(log, (r: IdRequest) => `${action} opportunity ${r.params.id}`, async (request: IdRequest) => {
      const { command, expectedVersion } = parseCommandBody(action, request.body);
      return stored(await runCommand(ctx, { id: request.params.id, command, expectedVersion: ifMatch(request) ?? expectedVersion }));
    }));
  }

  server.patch('/opportunities/:id', guarded(log, (r: IdRequest) => `edit opportunity ${r.params.id}`, async (request: IdRequest) => {
    const { command, expectedVersion } = parseCommandBody('edit', request.body);
    return stored(await runCommand(ctx, { id: request.params.id, command, expectedVersion: ifMatch(request) ?? expectedVersion }));
  }));
}
