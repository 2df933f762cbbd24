/** The console's pages (GET): what the store, the engine and the run control hold, as HTML. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { instanceStatus } from '../../cli/operations/status';
import { asOpportunityId } from '../../core/model';
import type { Conflict, OpportunityView } from '../../store/types';
import { listUnrouted } from '../../sync/unrouted';
import { consoleSession } from './guard';
import type { ConsoleDeps } from './register';
import { age, changedFields, conflictSides, EMPTY, param, show } from './view-format';

type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, unknown> }>;

export const NAV = [
  { href: '/console/', label: 'Overview', key: 'overview' },
  { href: '/console/conflicts', label: 'Conflicts', key: 'conflicts' },
  { href: '/console/dead-letters', label: 'Dead letters', key: 'dead-letters' },
  { href: '/console/opportunities', label: 'Opportunities', key: 'opportunities' },
  { href: '/console/run-control', label: 'Run control', key: 'run-control' },
] as const;

export const CONFLICT_KINDS = ['terminal', 'field', 'stage', 'illegal-transition', 'terminal-outcome', 'refused', 'deleted'] as const;
const VIEWS = ['inbound', 'outbound', 'favorites', 'archived'] as const satisfies readonly OpportunityView[];
const PAGE_SIZE = 25;

/** Renders a page inside the layout, with the session's name, CSRF token and pending message. */
export function renderPage(request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown> & { title: string; nav: string }, status = 200) {
  const session = consoleSession(request);
  const flash = session.flash;
  session.flash = null;
  return reply.code(status).view(template, { ...data, navItems: NAV, csrf: session.csrf, operator: session.name, flash });
}

async function overviewRows(deps: ConsoleDeps) {
  const { app } = deps;
  const names = app.engine.connectorNames();
  const [status, control] = await Promise.all([instanceStatus(app.store, app.clock.now(), names), deps.actions.runControl()]);
  const busy = new Set(deps.busy());
  const health = new Map(app.connectorStatus().map((h) => [h.name, h]));
  return Promise.all(
    status.map(async (s) => {
      const paused = control.find((c) => c.connector === s.connector)?.paused === true;
      const h = health.get(s.connector);
      const failing = s.lastRun?.status === 'failed' || (h !== undefined && !h.ready);
      const state = paused ? 'paused' : busy.has(s.connector) ? 'running' : failing ? 'failing' : 'idle';
      const quota = await deps.metrics.quotaOf(s.connector);
      const run = s.lastRun;
      return {
        connector: s.connector,
        kind: h?.kind ?? EMPTY,
        state,
        why: paused ? EMPTY : (s.lastError ?? h?.reason ?? EMPTY),
        lastRun: run ? `${run.startedAt} (${run.status})` : 'no run yet',
        summary: run ? `pulled ${run.pulled}, applied ${run.applied}, pushed ${run.pushed}, conflicts ${run.conflicts}, dead letters ${run.deadLetters}` : EMPTY,
        lag: age(s.lagSeconds),
        cursorAge: age(s.cursorAgeSeconds),
        outbox: s.counts.outbox,
        deadLetters: s.counts.deadLetters,
        conflicts: s.counts.conflictsPending,
        quota: quota.used === null ? `${s.counts.apiCalls} calls last run; quota not reported` : `${quota.used}${quota.limit === null ? '' : ` of ${quota.limit}`}`,
      };
    }),
  );
}

function conflictMatches(c: Conflict, kind: string | undefined): boolean {
  if (kind === undefined || kind === '') return true;
  // `terminal` covers both terminal kinds: a change against a terminal deal, and two different outcomes.
  if (kind === 'terminal') return c.kind === 'terminal' || c.kind === 'terminal-outcome';
  return kind === 'stage' ? c.field === 'stage' : c.kind === kind;
}

function registerOverview(scope: FastifyInstance, deps: ConsoleDeps): void {
  scope.get('/', async (request, reply) => {
    const { app } = deps;
    const unrouted = (await listUnrouted(app.store, app.config.connectors)).map((u) => ({ ...u, solutions: u.solutions.join(', ') || EMPTY, receivedAt: show(u.receivedAt) }));
    return renderPage(request, reply, 'overview', { title: 'Overview', nav: 'overview', rows: await overviewRows(deps), unrouted, at: app.clock.now().toISOString() });
  });
  // The rows alone, for the page's polling script.
  scope.get('/overview/rows', async (_request, reply) => reply.view('overview-rows', { rows: await overviewRows(deps) }));
}

function registerConflictPages(scope: FastifyInstance, deps: ConsoleDeps): void {
  const { store } = deps.app;
  scope.get('/conflicts', async (request: Req, reply) => {
    const q = request.query;
    const status = param(q, 'status') ?? 'pending';
    const connector = param(q, 'connector') || undefined;
    const kind = param(q, 'kind') || undefined;
    const list = await store.listConflicts({ ...(status === 'all' ? {} : { status: status === 'resolved' ? 'resolved' : 'pending' }), ...(connector ? { connector } : {}), limit: 500 });
    const items = list.filter((c) => conflictMatches(c, kind)).map((c) => ({ ...c, crm: show(c.crmValue), cosell: show(c.cosellValue) }));
    return renderPage(request, reply, 'conflicts', {
      title: 'Conflicts', nav: 'conflicts', items, connectors: deps.app.engine.connectorNames(), kinds: CONFLICT_KINDS,
      filter: { status, connector: connector ?? '', kind: kind ?? '' },
    });
  });
  scope.get('/conflicts/:id', async (request: Req, reply) => {
    const id = Number(request.params['id']);
    const conflict = Number.isInteger(id) && id > 0 ? await store.getConflict(id) : null;
    if (conflict === null) return renderPage(request, reply, 'not-found', { title: 'Not found', nav: 'conflicts', what: `conflict ${request.params['id'] ?? ''}` }, 404);
    const [stored, events] = await Promise.all([store.getOpportunity(conflict.opportunityId), store.listEvents(conflict.opportunityId)]);
    const recent = events.slice(-10).reverse().map((e) => ({ ...e, source: `${e.source.kind}:${e.source.name}`, changes: changedFields(e.before, e.after) }));
    return renderPage(request, reply, 'conflict', {
      title: `Conflict ${conflict.id}`, nav: 'conflicts', c: conflict, sides: conflictSides(conflict), recent,
      deal: stored ? { id: stored.opportunity.id, name: stored.opportunity.dealName, stage: stored.opportunity.stage } : null,
    });
  });
}

function registerDeadLetterPage(scope: FastifyInstance, deps: ConsoleDeps): void {
  scope.get('/dead-letters', async (request: Req, reply) => {
    const connector = param(request.query, 'connector') || undefined;
    const code = param(request.query, 'kind') || undefined;
    const letters = await deps.app.store.listDeadLetters({ unresolvedOnly: true, ...(connector ? { connector } : {}), limit: 500 });
    const kinds = [...new Set(letters.map((d) => `${d.connector}|${d.code ?? ''}`))].sort().map((k) => {
      const [conn = '', kind = ''] = k.split('|');
      return { connector: conn, code: kind, label: kind === '' ? 'no code' : kind, count: letters.filter((d) => d.connector === conn && (d.code ?? '') === kind).length };
    });
    const items = letters.filter((d) => code === undefined || (d.code ?? '') === code).map((d) => ({ ...d, values: show(d.payload) }));
    return renderPage(request, reply, 'dead-letters', { title: 'Dead letters', nav: 'dead-letters', items, kinds, connectors: deps.app.engine.connectorNames(), filter: { connector: connector ?? '', kind: code ?? '' } });
  });
}

function registerOpportunityPages(scope: FastifyInstance, deps: ConsoleDeps): void {
  const { store } = deps.app;
  scope.get('/opportunities', async (request: Req, reply) => {
    const rawView = param(request.query, 'view');
    const view = (VIEWS as readonly string[]).includes(rawView ?? '') ? (rawView as (typeof VIEWS)[number]) : 'inbound';
    const search = (param(request.query, 'search') ?? '').trim().slice(0, 200);
    const cursor = param(request.query, 'cursor') ?? null;
    let page;
    try {
      page = await store.listOpportunities({ view, ...(search ? { search } : {}), cursor, limit: PAGE_SIZE });
    } catch {
      // A cursor that is not ours: start from the first page rather than fail.
      page = await store.listOpportunities({ view, ...(search ? { search } : {}), limit: PAGE_SIZE });
    }
    const items = page.items.map(({ opportunity: o }) => ({
      id: o.id, name: o.dealName, customer: o.customer.name, stage: o.stage, type: o.type, direction: o.direction,
      value: `${o.estimatedValue.amount} ${o.estimatedValue.currency}`, close: o.estimatedCloseDate, favorite: o.favorite,
    }));
    const next = page.nextCursor === null ? null : `/console/opportunities?${new URLSearchParams({ view, search, cursor: page.nextCursor }).toString()}`;
    return renderPage(request, reply, 'opportunities', { title: 'Opportunities', nav: 'opportunities', views: VIEWS, view, search, items, next, paged: cursor !== null });
  });
  scope.get('/opportunities/:id', async (request: Req, reply) => {
    const id = asOpportunityId(request.params['id'] ?? '');
    const stored = await store.getOpportunity(id);
    if (stored === null) return renderPage(request, reply, 'not-found', { title: 'Not found', nav: 'opportunities', what: `opportunity ${id}` }, 404);
    const [events, links, conflicts] = await Promise.all([store.listEvents(id), store.listLinks({ opportunityId: id }), store.listConflicts({ opportunityId: id, limit: 50 })]);
    const o = stored.opportunity;
    const fields: Array<[string, string]> = [
      ['Deal', o.dealName], ['Customer', o.customer.name], ['Location', [o.customer.location.city, o.customer.location.country].filter(Boolean).join(', ') || EMPTY],
      ['Stage', o.stage], ['Direction', o.direction], ['Type', o.type], ['Value', `${o.estimatedValue.amount} ${o.estimatedValue.currency}`],
      ['Close date', o.estimatedCloseDate], ['Notes', show(o.notes)], ['Microsoft help', o.microsoftHelpType], ['Favorite', o.favorite ? 'yes' : 'no'],
      ['Decline reason', show(o.declineReason)], ['Team', o.team.map((t) => t.name).join(', ') || EMPTY], ['Solutions', o.solutions.map((s) => s.name).join(', ') || EMPTY],
      ['Created', o.createdAt], ['Received', show(o.receivedAt)], ['Stage since', o.stageChangedAt], ['Version', String(stored.version)],
    ];
    const invitations = o.invitations.map((i) => ({ invitee: show(i.invitee), status: i.status, help: i.helpType, at: i.invitedAt, close: show(i.closeDate) }));
    const trail = [...events].reverse().map((e) => ({ seq: e.seq, at: e.at, kind: e.kind, source: `${e.source.kind}:${e.source.name}`, changes: changedFields(e.before, e.after), details: e.details === null ? null : show(e.details) }));
    return renderPage(request, reply, 'opportunity', { title: o.dealName, nav: 'opportunities', o, fields, invitations, links, trail, conflicts });
  });
}

function registerRunControlPage(scope: FastifyInstance, deps: ConsoleDeps): void {
  scope.get('/run-control', async (request: Req, reply) => {
    const [control, recent] = await Promise.all([deps.actions.runControl(), deps.actions.recent({ limit: 30 })]);
    const busy = new Set(deps.busy());
    const rows = control.map((c) => ({ ...c, running: busy.has(c.connector), since: show(c.changedAt), by: show(c.changedBy), reason: show(c.reason) }));
    const prefill = { connector: param(request.query, 'connector') ?? '', record: param(request.query, 'record') ?? '' };
    return renderPage(request, reply, 'run-control', { title: 'Run control', nav: 'run-control', rows, recent: recent.map((a) => ({ ...a, details: a.details === null ? EMPTY : show(a.details) })), prefill, preview: null });
  });
}

export function registerConsolePages(scope: FastifyInstance, deps: ConsoleDeps): void {
  registerOverview(scope, deps);
  registerConflictPages(scope, deps);
  registerDeadLetterPage(scope, deps);
  registerOpportunityPages(scope, deps);
  registerRunControlPage(scope, deps);
}
