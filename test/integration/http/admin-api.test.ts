/** The admin API through fastify's inject, against a real SQLite store and a fake engine. */
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../../../src/http/server';
import { Metrics } from '../../../src/metrics';
import { aCustomerWithConsentedContact, anInboundInput, anOutboundInput } from '../../unit/core/builders';
import { MemoryLogger } from '../../unit/daemon/fakes';
import { createHarness, type Harness } from '../cli/harness';


let h: Harness;
let server: FastifyInstance;
const auth = { authorization: 'Bearer test-admin-token' };

beforeEach(async () => {
  h = await createHarness();
  server = createHttpServer({ app: h.app, metrics: new Metrics() });
  await server.ready();
});
afterEach(async () => {
  await server.close();
  await h.cleanup();
});

type Method = 'GET' | 'POST' | 'PATCH';
async function call(method: Method, url: string, payload?: unknown, headers: Record<string, string> = auth) {
  const res = await server.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>(), headers: res.headers };
}

async function createOutbound(id = 'opp-1'): Promise<void> {
  const res = await call('POST', '/api/opportunities', { id, ...anOutboundInput({ customer: aCustomerWithConsentedContact() }) });
  expect(res.status).toBe(201);
}

describe('authentication', () => {
  it.each([
    ['no token', {}],
    ['a wrong token', { authorization: 'Bearer not-the-token' }],
    ['a longer wrong token', { authorization: 'Bearer test-admin-token-and-more' }],
    ['another scheme', { authorization: 'Basic dGVzdC1hZG1pbi10b2tlbg==' }],
  ])('answers 401 with %s', async (_label, headers) => {
    const res = await call('GET', '/api/opportunities', undefined, headers);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('Bearer');
  });

  it('answers 401 to everyone when no admin token is configured', async () => {
    const open = createHttpServer({ app: { ...h.app, config: { ...h.settings, http: { ...h.settings.http, adminToken: null } } }, metrics: new Metrics() });
    const res = await open.inject({ method: 'GET', url: '/api/status', headers: { authorization: 'Bearer ' } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ message: 'admin API disabled: no admin token configured' });
    await open.close();
  });

  it('leaves /healthz open', async () => {
    const res = await call('GET', '/healthz', undefined, {});
    expect(res).toMatchObject({ status: 200, body: { status: 'ok' } });
  });
});

describe('opportunities', () => {
  it('creates, lists with filters, and shows with an ETag', async () => {
    await createOutbound();
    const received = await call('POST', '/api/opportunities/receive', { id: 'opp-in', ...anInboundInput() });
    expect(received.status).toBe(201);
    const inbound = await call('GET', '/api/opportunities?view=inbound&stage=received');
    expect((inbound.body['items'] as { id: string }[]).map((i) => i.id)).toEqual(['opp-in']);
    const show = await call('GET', '/api/opportunities/opp-1');
    expect(show.status).toBe(200);
    expect(show.headers['etag']).toBe('"1"');
    expect(show.body).toMatchObject({ version: 1, opportunity: { id: 'opp-1', stage: 'accepted' } });
  });

  it('answers 400 with the JSON path on a malformed body, and on a bad filter', async () => {
    const res = await call('POST', '/api/opportunities', { ...anOutboundInput(), estimatedValue: { amount: 'lots', currency: 'EUR' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'validation', issues: [expect.objectContaining({ path: 'estimatedValue.amount' })] });
    const filter = await call('GET', '/api/opportunities?view=everything');
    expect(filter).toMatchObject({ status: 400, body: { issues: [{ path: 'view' }] } });
  });

  it('answers 400 on a body that is not JSON', async () => {
    const res = await server.inject({ method: 'POST', url: '/api/opportunities', headers: { ...auth, 'content-type': 'application/json' }, payload: '{nope' });
    expect(res.statusCode).toBe(400);
  });

  it('answers 404 for an unknown opportunity', async () => {
    expect((await call('GET', '/api/opportunities/nope')).status).toBe(404);
    expect((await call('POST', '/api/opportunities/nope/win', {})).status).toBe(404);
  });

  it('runs accept and decline on referrals', async () => {
    await call('POST', '/api/opportunities/receive', { id: 'r1', ...anInboundInput() });
    await call('POST', '/api/opportunities/receive', { id: 'r2', ...anInboundInput() });
    expect((await call('POST', '/api/opportunities/r1/accept', { dealName: 'Contoso demo' })).body).toMatchObject({ opportunity: { stage: 'accepted' } });
    expect((await call('POST', '/api/opportunities/r2/decline', { reason: 'No capacity' })).body).toMatchObject({ opportunity: { stage: 'declined' } });
  });

  it('edits with PATCH and refuses a stale If-Match with 409', async () => {
    await createOutbound();
    const ok = await call('PATCH', '/api/opportunities/opp-1', { notes: 'first' }, { ...auth, 'if-match': '"1"' });
    expect(ok).toMatchObject({ status: 200, body: { version: 2, opportunity: { notes: 'first' } } });
    const stale = await call('PATCH', '/api/opportunities/opp-1', { notes: 'second' }, { ...auth, 'if-match': '"1"' });
    expect(stale).toMatchObject({ status: 409, body: { error: 'stale_version', expected: 1, actual: 2 } });
  });

  it('invites Microsoft and then a partner', async () => {
    await createOutbound();
    expect((await call('POST', '/api/opportunities/opp-1/invite', { kind: 'microsoft', helpType: 'deployment' })).status).toBe(200);
    const bad = await call('POST', '/api/opportunities/opp-1/invite', { kind: 'partner' });
    expect(bad).toMatchObject({ status: 400, body: { issues: [expect.objectContaining({ path: 'invitation' })] } });
  });

  it('R16: a won opportunity refuses every change with 409 naming the rule, while favorite toggles', async () => {
    await createOutbound();
    expect((await call('POST', '/api/opportunities/opp-1/win', {})).body).toMatchObject({ opportunity: { stage: 'won' } });
    const attempts: [Method, string, unknown][] = [
      ['POST', '/api/opportunities/opp-1/lose', {}],
      ['POST', '/api/opportunities/opp-1/accept', { dealName: 'x' }],
      ['POST', '/api/opportunities/opp-1/decline', { reason: 'x' }],
      ['POST', '/api/opportunities/opp-1/invite', { kind: 'microsoft', helpType: 'general' }],
      ['PATCH', '/api/opportunities/opp-1', { notes: 'late' }],
    ];
    for (const [method, url, body] of attempts) {
      const res = await call(method, url, body);
      expect(res).toMatchObject({ status: 409, body: { error: 'rule', rule: 'R16', fields: ['stage'] } });
      expect(String(res.body['message'])).toMatch(/^refused by R16: /);
    }
    expect((await call('POST', '/api/opportunities/opp-1/favorite')).body).toMatchObject({ opportunity: { favorite: true, stage: 'won' } });
    expect((await call('POST', '/api/opportunities/opp-1/unfavorite')).body).toMatchObject({ opportunity: { favorite: false, stage: 'won' } });
  });
});

describe('logging', () => {
  it('logs each admin request by route and status, never its token, body or contact details', async () => {
    const logger = new MemoryLogger();
    const logged = createHttpServer({ app: { ...h.app, logger }, metrics: new Metrics() });
    const body = { id: 'opp-log', ...anOutboundInput({ customer: aCustomerWithConsentedContact() }) };
    const res = await logged.inject({ method: 'POST', url: '/api/opportunities', headers: auth, payload: body });
    expect(res.statusCode).toBe(201);
    await logged.inject({ method: 'GET', url: '/api/opportunities/opp-log', headers: { authorization: 'Bearer wrong-token-value' } });
    await logged.close();
    expect(logger.events('http.request').map((l) => [l.meta['method'], l.meta['route'], l.meta['status']])).toEqual([
      ['POST', '/api/opportunities', 201],
      ['GET', '/api/opportunities/:id', 401],
    ]);
    const text = JSON.stringify(logger.lines);
    for (const secret of ['test-admin-token', 'wrong-token-value', 'ada@contoso.test', 'Ada Buyer', 'sam@partner.test']) expect(text).not.toContain(secret);
  });
});

describe('ops', () => {
  it('lists and resolves conflicts, 404 on unknown ones, 400 on a bad keep', async () => {
    await createOutbound();
    const c = await h.store.addConflict(
      { opportunityId: 'opp-1' as never, connector: 'sf-main', externalId: '006A', kind: 'terminal', field: 'stage', base: 'accepted', crmValue: 'won', cosellValue: 'expired', rule: 'S1', outcome: 'flagged' },
      h.clock.now(),
    );
    expect(((await call('GET', '/api/conflicts')).body['items'] as unknown[]).length).toBe(1);
    expect((await call('GET', `/api/conflicts/${c.id}`)).body).toMatchObject({ id: c.id, rule: 'S1' });
    expect((await call('POST', `/api/conflicts/${c.id}/resolve`, { keep: 'both' })).status).toBe(400);
    expect((await call('POST', '/api/conflicts/999/resolve', { keep: 'crm' })).status).toBe(404);
    expect((await call('POST', `/api/conflicts/${c.id}/resolve`, { keep: 'cosell' })).status).toBe(200);
    expect(h.engine.resolved).toEqual([{ id: c.id, keep: 'cosell' }]);
  });

  it('lists and retries dead letters', async () => {
    const d = await h.store.addDeadLetter({ connector: 'sf-main', direction: 'pull', externalId: '006X', opportunityId: null, reason: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', code: 'validation', payload: null }, h.clock.now());
    expect((await call('GET', '/api/dead-letters')).body['items']).toEqual([expect.objectContaining({ id: d.id })]);
    expect((await call('POST', `/api/dead-letters/${d.id}/retry`)).status).toBe(200);
    expect((await call('POST', '/api/dead-letters/12345/retry')).status).toBe(404);
    expect(h.engine.retried).toEqual([d.id]);
  });

  it('runs one sync on demand, 404 for an unknown instance', async () => {
    const res = await call('POST', '/api/sync/sf-main', { dryRun: true });
    expect(res).toMatchObject({ status: 200, body: { connector: 'sf-main', dryRun: true } });
    expect((await call('POST', '/api/sync/nope', {})).status).toBe(404);
  });

  it('reports status per instance with connector health', async () => {
    const res = await call('GET', '/api/status');
    expect(res.status).toBe(200);
    expect((res.body['connectors'] as { connector: string }[]).map((c) => c.connector)).toEqual(['dyn-main', 'sf-main']);
    expect(res.body['health']).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'sf-main', ready: true })]));
    expect(res.body['unrouted']).toEqual([]);
  });

  it('lists in status the open inbound referrals no instance takes', async () => {
    for (const c of h.settings.connectors) c.inbound = { by: 'country', values: ['US'] };
    await call('POST', '/api/opportunities/receive', { id: 'ref-de', ...anInboundInput({ customer: { ...anInboundInput().customer, location: { ...anInboundInput().customer.location, country: 'DE' } } }) });
    const res = await call('GET', '/api/status');
    expect(res.body['unrouted']).toEqual([expect.objectContaining({ id: 'ref-de', country: 'DE', stage: 'received' })]);
  });
});
