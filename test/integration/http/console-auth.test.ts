/** The console's login, session, CSRF and cross-site checks, through fastify's inject on a real store. */
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../../../src/http/server';
import { Metrics } from '../../../src/metrics';
import { createHarness, type Harness } from '../cli/harness';
import { anOutboundInput } from '../../unit/core/builders';
import { asOpportunityId } from '../../../src/core/model';

let h: Harness;
let server: FastifyInstance;
const form = { 'content-type': 'application/x-www-form-urlencoded' };

beforeEach(async () => {
  h = await createHarness();
  server = createHttpServer({ app: h.app, metrics: new Metrics() });
  await server.ready();
});
afterEach(async () => {
  await server.close();
  await h.cleanup();
});

async function login(name = 'Ana'): Promise<{ cookie: string; csrf: string }> {
  const res = await server.inject({ method: 'POST', url: '/console/login', headers: form, payload: new URLSearchParams({ token: 'test-admin-token', name }).toString() });
  expect(res.statusCode).toBe(303);
  const set = String(res.headers['set-cookie']);
  const cookie = /cosell_console=[^;]+/.exec(set)?.[0] ?? '';
  const page = await server.inject({ method: 'GET', url: '/console/run-control', headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  return { cookie, csrf };
}

const PAGES = ['/console/', '/console/overview/rows', '/console/conflicts', '/console/conflicts/1', '/console/dead-letters', '/console/opportunities', '/console/opportunities/opp-1', '/console/run-control'];

describe('console access', () => {
  it.each(PAGES)('answers GET %s without a session with the login page (401) and no data', async (url) => {
    await h.store.setRunControl({ connector: 'sf-main', paused: true, actor: 'secret-actor', reason: 'hidden reason' }, h.clock.now());
    const res = await server.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('name="token"');
    expect(res.body).not.toContain('sf-main');
    expect(res.body).not.toContain('hidden reason');
  });

  it.each(['/console/run-control/sf-main/pause', '/console/conflicts/1/resolve', '/console/dead-letters/1/retry', '/console/run-control/record', '/console/logout'])(
    'answers POST %s without a session with 401 and does nothing', async (url) => {
      const res = await server.inject({ method: 'POST', url, headers: form, payload: 'keep=crm' });
      expect(res.statusCode).toBe(401);
      expect(await h.store.getRunControl('sf-main')).toBeNull();
      expect(h.engine.resolved).toEqual([]);
    });

  it('refuses a wrong token without saying more, and sets a strict, HttpOnly cookie with an expiry for the right one', async () => {
    const wrong = await server.inject({ method: 'POST', url: '/console/login', headers: form, payload: 'token=nope&name=x' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect(wrong.body).toContain('That token is not the admin token.');
    const ok = await server.inject({ method: 'POST', url: '/console/login', headers: form, payload: 'token=test-admin-token&name=Ana' });
    const set = String(ok.headers['set-cookie']);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).toMatch(/Max-Age=28800/);
    expect(set).toMatch(/Path=\/console/);
    expect(set).not.toContain('test-admin-token');
  });

  it('refuses a form post without the session\'s CSRF token, and a cross-site one even with it', async () => {
    const { cookie, csrf } = await login();
    const noToken = await server.inject({ method: 'POST', url: '/console/run-control/sf-main/pause', headers: { ...form, cookie }, payload: 'reason=x' });
    expect(noToken.statusCode).toBe(403);
    const wrongToken = await server.inject({ method: 'POST', url: '/console/run-control/sf-main/pause', headers: { ...form, cookie }, payload: `_csrf=${csrf}x` });
    expect(wrongToken.statusCode).toBe(403);
    const crossSite = await server.inject({ method: 'POST', url: '/console/run-control/sf-main/pause', headers: { ...form, cookie, origin: 'https://evil.example' }, payload: `_csrf=${encodeURIComponent(csrf)}` });
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.body).toBe('cross-site request refused');
    const fetchSite = await server.inject({ method: 'POST', url: '/console/run-control/sf-main/pause', headers: { ...form, cookie, 'sec-fetch-site': 'cross-site' }, payload: `_csrf=${encodeURIComponent(csrf)}` });
    expect(fetchSite.statusCode).toBe(403);
    expect(await h.store.getRunControl('sf-main')).toBeNull();
    const same = await server.inject({ method: 'POST', url: '/console/run-control/sf-main/pause', headers: { ...form, cookie, origin: 'http://localhost:80' }, payload: `_csrf=${encodeURIComponent(csrf)}&reason=upgrade` });
    expect(same.statusCode).toBe(303);
    expect(await h.store.getRunControl('sf-main')).toMatchObject({ paused: true, changedBy: 'console:Ana', reason: 'upgrade' });
  });

  it('forgets the session at logout and when it expires', async () => {
    const { cookie, csrf } = await login();
    expect((await server.inject({ method: 'GET', url: '/console/', headers: { cookie } })).statusCode).toBe(200);
    await server.inject({ method: 'POST', url: '/console/logout', headers: { ...form, cookie }, payload: `_csrf=${encodeURIComponent(csrf)}` });
    expect((await server.inject({ method: 'GET', url: '/console/', headers: { cookie } })).statusCode).toBe(401);
    const second = await login();
    h.clock.advance(8 * 60 * 60 * 1000 + 1);
    expect((await server.inject({ method: 'GET', url: '/console/', headers: { cookie: second.cookie } })).statusCode).toBe(401);
  });

  it('escapes what it shows and sends a strict content policy', async () => {
    const id = asOpportunityId('opp-x');
    await h.store.applyCommand({ id, command: { kind: 'createOutbound', id, input: anOutboundInput({ dealName: '<script>alert(1)</script>' }) }, source: { kind: 'user', name: 'u' }, now: h.clock.now() });
    const { cookie } = await login('<img src=x>');
    const list = await server.inject({ method: 'GET', url: '/console/opportunities?view=outbound', headers: { cookie } });
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(list.body).not.toContain('<script>alert');
    expect(list.body).not.toContain('<img src=x>');
    expect(list.headers['content-security-policy']).toContain("script-src 'self'");
    const deal = await server.inject({ method: 'GET', url: '/console/opportunities/opp-x', headers: { cookie } });
    expect(deal.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(deal.body).toContain('Audit trail');
  });
});
