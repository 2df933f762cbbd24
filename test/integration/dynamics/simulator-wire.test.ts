/** The simulator speaks the Dataverse wire protocol: checked here with plain HTTP, no connector. */
import { startDynamicsSimulator, type DynamicsSimulator } from '../../../connectors/dynamics/simulator';
import { opportunity } from './setup';

describe('dynamics simulator wire protocol', () => {
  let sim: DynamicsSimulator;
  let token: string;
  const api = (path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Response> =>
    fetch(`${sim.apiBase}/${path}`, {
      method: init.method ?? 'GET',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
    });

  beforeEach(async () => {
    sim = await startDynamicsSimulator();
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
      scope: `${sim.url}/.default`,
    });
    const res = await fetch(sim.tokenUrl, { method: 'POST', body: form });
    const json = (await res.json()) as { token_type: string; access_token: string; expires_in: number };
    expect([res.status, json.token_type, json.expires_in]).toEqual([200, 'Bearer', 3599]);
    token = json.access_token;
  });
  afterEach(async () => sim.close());

  it('answers a wrong secret the way Entra ID does', async () => {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: sim.clientId, client_secret: 'no', scope: `${sim.url}/.default` });
    const res = await fetch(sim.tokenUrl, { method: 'POST', body: form });
    const json = (await res.json()) as { error: string; error_codes: number[]; error_description: string };
    expect([res.status, json.error, json.error_codes]).toEqual([401, 'invalid_client', [7000215]]);
    expect(json.error_description).toMatch(/^AADSTS7000215/);
  });

  it('upserts on the alternate key: 204 + OData-EntityId, then 200/201 with return=representation', async () => {
    const created = await api("opportunities(cosell_cosellid='k1')", { method: 'PATCH', body: JSON.stringify({ name: 'A' }) });
    expect(created.status).toBe(204);
    expect(created.headers.get('odata-entityid')).toMatch(/\/opportunities\([0-9a-f-]{36}\)$/);
    const updated = await api("opportunities(cosell_cosellid='k1')?$select=name", {
      method: 'PATCH',
      headers: { Prefer: 'return=representation' },
      body: JSON.stringify({ name: 'B' }),
    });
    expect(updated.status).toBe(200);
    expect(((await updated.json()) as { name: string }).name).toBe('B');
    const fresh = await api("opportunities(cosell_cosellid='k2')", { method: 'PATCH', headers: { Prefer: 'return=representation' }, body: '{"name":"C"}' });
    expect(fresh.status).toBe(201);
    expect(sim.count()).toBe(2);
  });

  it('applies If-Match / If-None-Match preconditions', async () => {
    const [id = ''] = sim.seed([opportunity(1)]);
    const version = String(sim.get(id)?.versionnumber);
    const createOnly = await api(`opportunities(${id})`, { method: 'PATCH', headers: { 'If-None-Match': '*' }, body: '{"name":"x"}' });
    expect(createOnly.status).toBe(412);
    expect(await createOnly.json()).toEqual({ error: { code: '0x80040237', message: 'A record with matching key values already exists.' } });
    const missing = await api('opportunities(00000000-0000-0000-0000-000000000001)', { method: 'PATCH', headers: { 'If-Match': '*' }, body: '{"name":"x"}' });
    expect(missing.status).toBe(404);
    const stale = await api(`opportunities(${id})`, { method: 'PATCH', headers: { 'If-Match': 'W/"1"' }, body: '{"name":"x"}' });
    expect(stale.status).toBe(412);
    const fine = await api(`opportunities(${id})`, { method: 'PATCH', headers: { 'If-Match': `W/"${version}"` }, body: '{"name":"x"}' });
    expect(fine.status).toBe(204);
    expect(sim.get(id)?.name).toBe('x');
  });

  it('refuses $filter with change tracking, and pages plain queries with $filter and $orderby', async () => {
    sim.seed([1, 2, 3, 4, 5].map((i) => opportunity(i, { cosell_sync: i % 2 === 1 })));
    const refused = await api('opportunities?$filter=cosell_sync eq true', { headers: { Prefer: 'odata.track-changes' } });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain("isn't supported when Change Tracking is enabled");
    const first = await api('opportunities?$select=name&$filter=cosell_sync eq true&$orderby=name desc', { headers: { Prefer: 'odata.maxpagesize=2' } });
    expect(first.headers.get('preference-applied')).toBe('odata.maxpagesize=2');
    const page1 = (await first.json()) as { value: Array<{ name: string }>; '@odata.nextLink': string };
    expect(page1.value.map((v) => v.name)).toEqual(['Opportunity 5', 'Opportunity 3']);
    expect(page1['@odata.nextLink']).toContain('$skiptoken=');
    const page2 = (await (await fetch(page1['@odata.nextLink'], { headers: { Authorization: `Bearer ${token}`, Prefer: 'odata.maxpagesize=2' } })).json()) as {
      value: Array<{ name: string }>;
    };
    expect(page2.value.map((v) => v.name)).toEqual(['Opportunity 1']);
  });

  it('stops a $batch at the first failure without continue-on-error (whole reply 400)', async () => {
    sim.addValidationRule({ field: 'name', equals: 'bad', message: 'no bad names' });
    const part = (key: string, name: string): string =>
      [
        '--batch_x',
        'Content-Type: application/http',
        'Content-Transfer-Encoding: binary',
        '',
        `PATCH /api/data/v9.2/opportunities(cosell_cosellid='${key}') HTTP/1.1`,
        'Content-Type: application/json',
        '',
        JSON.stringify({ name }),
      ].join('\r\n');
    const body = `${[part('a', 'ok'), part('b', 'bad'), part('c', 'ok')].join('\r\n')}\r\n--batch_x--\r\n`;
    const headers = { 'Content-Type': 'multipart/mixed; boundary=batch_x' };
    const stopped = await api('$batch', { method: 'POST', headers, body });
    expect(stopped.status).toBe(400);
    expect(await stopped.text()).toContain('no bad names');
    expect(sim.count()).toBe(1);
    const goOn = await api('$batch', { method: 'POST', headers: { ...headers, Prefer: 'odata.continue-on-error' }, body: body.replace(/'([abc])'/g, "'$1$1'") });
    expect(goOn.status).toBe(200);
    expect(sim.count()).toBe(3);
  });

  it('keeps a closed opportunity read-only until reopened', async () => {
    const [id = ''] = sim.seed([opportunity(1)]);
    const won = await api('WinOpportunity', {
      method: 'POST',
      body: JSON.stringify({ Status: 3, OpportunityClose: { subject: 'Won', 'opportunityid@odata.bind': `/opportunities(${id})` } }),
    });
    expect(won.status).toBe(204);
    const edit = await api(`opportunities(${id})`, { method: 'PATCH', headers: { 'If-Match': '*' }, body: '{"name":"x"}' });
    expect(edit.status).toBe(400);
    const reopen = await api(`opportunities(${id})`, { method: 'PATCH', headers: { 'If-Match': '*' }, body: '{"statecode":0,"statuscode":1}' });
    expect(reopen.status).toBe(204);
    const after = await api(`opportunities(${id})`, { method: 'PATCH', headers: { 'If-Match': '*' }, body: '{"name":"x"}' });
    expect(after.status).toBe(204);
  });

  it('offers the same admin operations over HTTP under /__admin/', async () => {
    const admin = (path: string, method = 'GET', body?: unknown): Promise<Response> =>
      fetch(`${sim.url}/__admin/${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const seeded = (await (await admin('seed/opportunities', 'POST', [opportunity(1), opportunity(2)])).json()) as { ids: string[] };
    expect(seeded.ids).toHaveLength(2);
    expect(await (await admin('count/opportunities')).json()).toEqual({ count: 2 });
    expect((await admin(`records/opportunities/${seeded.ids[0] ?? ''}`, 'PATCH', { name: 'Edited' })).status).toBe(204);
    expect(((await (await admin(`records/opportunities/${seeded.ids[0] ?? ''}`)).json()) as { name: string }).name).toBe('Edited');
    expect((await admin('faults', 'POST', { kind: 'server_error', times: 1 })).status).toBe(204);
    expect((await api('opportunities')).status).toBe(503);
    expect((await admin('expire-access-tokens', 'POST')).status).toBe(204);
    expect((await api('opportunities')).status).toBe(401);
    expect(((await (await admin('stats')).json()) as { apiRequests: number }).apiRequests).toBe(2);
  });
});
