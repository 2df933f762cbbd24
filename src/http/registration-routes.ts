/** Admin API for R17: POST /api/opportunities/:id/registration, the same operation as `opportunities register`. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { App } from '../app';
import { runCommand, type OperationContext } from '../cli/operations/opportunities';
import { parseRegistrationBody } from '../cli/operations/registration-input';
import { guarded } from './respond';

type IdRequest = FastifyRequest<{ Params: { id: string }; Body: unknown }>;

export function registerRegistrationRoutes(server: FastifyInstance, app: App): void {
  const ctx: OperationContext = { store: app.store, clock: app.clock, source: { kind: 'user', name: 'admin-api' }, ...(app.partners ? { partners: app.partners } : {}) };
  server.post('/opportunities/:id/registration', guarded(app.logger, (r: IdRequest) => `register opportunity ${r.params.id}`, async (request: IdRequest) => {
    const { command, expectedVersion } = parseRegistrationBody(request.body);
    const s = await runCommand(ctx, { id: request.params.id, command, expectedVersion });
    return { body: { version: s.version, updatedAt: s.updatedAt, opportunity: s.opportunity }, headers: { etag: `"${s.version}"` } };
  }));
}
