/**
 * The console's form actions (POST, behind the session and its CSRF token). Each does what the
 * CLI and the admin API do, records who did it, and comes back to a page showing the outcome.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describeFailure } from '../../cli/operations/errors';
import { show } from './view-format';
import { consoleSession, formField } from './guard';
import { renderPage } from './pages';
import type { ConsoleDeps } from './register';

type Req = FastifyRequest<{ Params: Record<string, string>; Body: unknown }>;

const actorOf = (request: FastifyRequest): string => `console:${consoleSession(request).name}`;

/** Back to `location` with the outcome shown there; nothing is lost when an action fails. */
function done(request: FastifyRequest, reply: FastifyReply, location: string, outcome: { ok: boolean; message: string }) {
  consoleSession(request).flash = { kind: outcome.ok ? 'ok' : 'error', text: outcome.message };
  return reply.code(303).header('location', location).send();
}

/** Runs an action; a refusal or bad input becomes the page's message, an unexpected error too (logged). */
async function attempt(deps: ConsoleDeps, label: string, work: () => Promise<{ ok: boolean; message: string }>): Promise<{ ok: boolean; message: string }> {
  try {
    return await work();
  } catch (error) {
    const failure = describeFailure(error, label);
    if (failure.httpStatus === 500) deps.app.logger.error('console action failed', { event: 'console.error', action: label, err: error });
    return { ok: false, message: failure.httpStatus === 500 ? `${label} failed: internal error (see the daemon log)` : failure.message };
  }
}

function registerReviewActions(scope: FastifyInstance, deps: ConsoleDeps): void {
  const { app } = deps;
  const log = (connector: string, action: string, request: FastifyRequest, details: Record<string, unknown>) =>
    app.store.addOperatorAction({ connector, action, actor: actorOf(request), details }, app.clock.now());

  scope.post('/conflicts/:id/resolve', async (request: Req, reply) => {
    const id = Number(request.params['id']);
    const keep = formField(request.body, 'keep');
    const outcome = await attempt(deps, `resolve conflict ${request.params['id'] ?? ''}`, async () => {
      const conflict = Number.isInteger(id) && id > 0 ? await app.store.getConflict(id) : null;
      if (conflict === null) return { ok: false, message: `conflict ${request.params['id'] ?? ''} not found` };
      if (keep !== 'crm' && keep !== 'cosell') return { ok: false, message: 'choose which value to keep: the CRM or co-sell' };
      const result = await app.engine.resolveConflict(id, keep);
      await log(conflict.connector, 'conflict-resolve', request, { conflictId: id, keep, ok: result.ok, message: result.message });
      return result;
    });
    return done(request, reply, Number.isInteger(id) && id > 0 ? `/console/conflicts/${id}` : '/console/conflicts', outcome);
  });

  scope.post('/dead-letters/:id/retry', async (request: Req, reply) => {
    const id = Number(request.params['id']);
    const outcome = await attempt(deps, `retry dead letter ${request.params['id'] ?? ''}`, async () => {
      const letter = Number.isInteger(id) && id > 0 ? await app.store.getDeadLetter(id) : null;
      if (letter === null) return { ok: false, message: `dead letter ${request.params['id'] ?? ''} not found` };
      const result = await app.engine.retryDeadLetter(id);
      await log(letter.connector, 'dead-letter-retry', request, { deadLetterId: id, ok: result.ok });
      return result;
    });
    return done(request, reply, '/console/dead-letters', outcome);
  });

  scope.post('/dead-letters/retry-kind', async (request: Req, reply) => {
    const connector = formField(request.body, 'connector') ?? '';
    const code = formField(request.body, 'code') ?? '';
    const outcome = await attempt(deps, `retry dead letters ${code || 'without code'} of ${connector}`, async () => {
      const letters = (await app.store.listDeadLetters({ connector, unresolvedOnly: true, limit: 500 })).filter((d) => (d.code ?? '') === code);
      if (letters.length === 0) return { ok: false, message: `no open dead letter of kind ${code || 'without code'} in ${connector || 'any connector'}` };
      let synced = 0;
      for (const letter of letters) if ((await app.engine.retryDeadLetter(letter.id)).ok) synced += 1;
      await log(connector, 'dead-letter-retry-kind', request, { code, tried: letters.length, synced });
      return { ok: synced === letters.length, message: `retried ${letters.length} dead letter(s) of kind ${code || 'without code'}: ${synced} synced, ${letters.length - synced} still failing` };
    });
    return done(request, reply, '/console/dead-letters', outcome);
  });
}

function registerRunControlActions(scope: FastifyInstance, deps: ConsoleDeps): void {
  const { actions } = deps;
  const back = '/console/run-control';
  scope.post('/run-control/:connector/pause', async (request: Req, reply) => {
    const connector = request.params['connector'] ?? '';
    const outcome = await attempt(deps, `pause ${connector}`, async () => {
      await actions.pause({ connector, actor: actorOf(request), reason: formField(request.body, 'reason') ?? null });
      return { ok: true, message: `${connector} paused: no run starts until it is resumed` };
    });
    return done(request, reply, back, outcome);
  });
  scope.post('/run-control/:connector/resume', async (request: Req, reply) => {
    const connector = request.params['connector'] ?? '';
    const outcome = await attempt(deps, `resume ${connector}`, async () => {
      await actions.resume({ connector, actor: actorOf(request) });
      return { ok: true, message: `${connector} resumed` };
    });
    return done(request, reply, back, outcome);
  });
  scope.post('/run-control/:connector/full-resync', async (request: Req, reply) => {
    const connector = request.params['connector'] ?? '';
    return done(request, reply, back, await attempt(deps, `full resync ${connector}`, () => actions.fullResync({ connector, actor: actorOf(request) })));
  });
  scope.post('/run-control/record', async (request: Req, reply) => {
    const connector = formField(request.body, 'connector') ?? '';
    const externalId = formField(request.body, 'externalId') ?? '';
    const apply = formField(request.body, 'apply') === 'yes';
    const label = `${apply ? 'resync' : 'preview'} record ${externalId} of ${connector}`;
    let result: { ok: boolean; message: string; planned?: unknown[] } = { ok: false, message: '' };
    result = await attempt(deps, label, () => actions.resyncRecord({ connector, externalId, dryRun: !apply, actor: actorOf(request) }));
    if (apply || !result.ok) return done(request, reply, `${back}?${new URLSearchParams({ connector, record: externalId }).toString()}`, result);
    const [control, recent] = await Promise.all([actions.runControl(), actions.recent({ limit: 30 })]);
    const busy = new Set(deps.busy());
    const planned = (result.planned ?? []) as Array<{ target: string; connector: string; action: string; opportunityId: string | null; externalId: string | null; changes: unknown; reason: string }>;
    return renderPage(request, reply, 'run-control', {
      title: 'Run control', nav: 'run-control',
      rows: control.map((c) => ({ ...c, running: busy.has(c.connector), since: show(c.changedAt), by: show(c.changedBy), reason: show(c.reason) })),
      recent: recent.map((a) => ({ ...a, details: show(a.details) })),
      prefill: { connector, record: externalId },
      preview: { connector, externalId: externalId.trim(), message: result.message, planned: planned.map((p) => ({ ...p, where: p.target === 'crm' ? `CRM (${p.connector})` : 'co-sell store', changes: show(p.changes) })) },
    });
  });
}

export function registerConsoleActions(scope: FastifyInstance, deps: ConsoleDeps): void {
  registerReviewActions(scope, deps);
  registerRunControlActions(scope, deps);
}
