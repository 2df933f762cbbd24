/** The simulator's wire protocol and its /__admin/ surface, over plain fetch. */
import { startSalesforceSimulator, type SalesforceSimulator } from '../../../connectors/salesforce/simulator';

describe('salesforce simulator over HTTP', () => {
  let sim: SalesforceSimulator;
  let token = '';
  const api = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${sim.url}/services/data/v62.0${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const admin = (path: string, method = 'GET', body?: unknown): Promise<Response> =>
    fetch(`${sim.url}/__admin${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  beforeEach(async () => {
    sim = await startSalesforceSimulator({ auth: { clientId: 'cid', clientSecret: 'secret' } });
    const res = await fetch(`${sim.url}/services/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=cid&client_secret=secret' });
    const body = (await res.json()) as Record<string, string>;
    expect(body).toMatchObject({ token_type: 'Bearer', instance_url: sim.url, id: `${sim.url}/id/${sim.orgId}/${sim.userId}` });
    expect(body['issued_at']).toMatch(/^\d+$/);
    token = body['access_token'] ?? '';
  });
  afterEach(async () => {
    await sim.close();
  });

  it('answers OAuth failures with {error, error_description}', async () => {
    const bad = await fetch(`${sim.url}/services/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=cid&client_secret=wrong' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'invalid_client', error_description: 'invalid client credentials' });
    const jwt = await fetch(`${sim.url}/services/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=not.a.jwt' });
    expect(await jwt.json()).toMatchObject({ error: 'invalid_grant' });
    const noAuth = await fetch(`${sim.url}/services/data/v62.0/limits`);
    expect(noAuth.status).toBe(401);
    expect(await noAuth.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID', fields: [] }]);
  });

  it('upserts on the external id: 201 when created, 204 when updated, 404 for a field that is not an external id', async () => {
    const body = JSON.stringify({ Name: 'U', StageName: 'Prospecting', CloseDate: '2026-02-01' });
    const created = await api('/sobjects/Opportunity/CoSell_Id__c/abc', { method: 'PATCH', body });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ success: true, created: true, id: expect.stringMatching(/^006\w{15}$/) });
    expect((await api('/sobjects/Opportunity/CoSell_Id__c/abc', { method: 'PATCH', body })).status).toBe(204);
    expect(created.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/100000$/);
    const missing = await api('/sobjects/Opportunity/Nope__c/abc', { method: 'PATCH', body });
    expect(missing.status).toBe(404);
  });

  it('rolls every row back with allOrNone', async () => {
    const res = await api('/composite/sobjects', {
      method: 'POST',
      body: JSON.stringify({ allOrNone: true, records: [{ attributes: { type: 'Opportunity' }, Name: 'ok', StageName: 'Prospecting', CloseDate: '2026-02-01' }, { attributes: { type: 'Opportunity' }, Name: 'bad' }] }),
    });
    expect(res.status).toBe(200);
    const rows = (await res.json()) as Array<{ success: boolean; errors: Array<{ statusCode: string }> }>;
    expect(rows.map((r) => r.errors[0]?.statusCode)).toEqual(['ALL_OR_NONE_OPERATION_ROLLED_BACK', 'REQUIRED_FIELD_MISSING']);
    expect(sim.count()).toBe(0);
    const tooMany = await api('/composite/sobjects', { method: 'POST', body: JSON.stringify({ records: Array.from({ length: 201 }, () => ({ attributes: { type: 'Opportunity' } })) }) });
    expect(tooMany.status).toBe(400);
  });

  it('pages Bulk API 2.0 results with Sforce-Locator until "null"', async () => {
    sim.seed(Array.from({ length: 25 }, (_, i) => ({ Name: `B "${i}", x`, StageName: 'Prospecting', CloseDate: '2026-02-01' })));
    const job = (await (await api('/jobs/query', { method: 'POST', body: JSON.stringify({ operation: 'query', query: 'SELECT Id, Name FROM Opportunity ORDER BY Id' }) })).json()) as { id: string; state: string };
    expect(job.state).toBe('UploadComplete');
    expect((await api(`/jobs/query/${job.id}/results`)).status).toBe(412);
    expect(((await (await api(`/jobs/query/${job.id}`)).json()) as { state: string }).state).toBe('InProgress');
    expect(((await (await api(`/jobs/query/${job.id}`)).json()) as { state: string }).state).toBe('JobComplete');
    const first = await api(`/jobs/query/${job.id}/results?maxRecords=20`);
    expect(first.headers.get('sforce-numberofrecords')).toBe('20');
    const locator = first.headers.get('sforce-locator') ?? '';
    expect(locator).not.toBe('null');
    expect((await first.text()).split('\n')[1]).toMatch(/^"006\w+","B ""0"", x"$/);
    const last = await api(`/jobs/query/${job.id}/results?maxRecords=20&locator=${locator}`);
    expect(last.headers.get('sforce-locator')).toBe('null');
    expect(last.headers.get('sforce-numberofrecords')).toBe('5');
  });

  it('drives seeds, rules, faults, clock and stats through /__admin/', async () => {
    const seeded = (await (await admin('/records', 'POST', { records: [{ Name: 'A', StageName: 'Prospecting', CloseDate: '2026-02-01' }] })).json()) as { ids: string[] };
    const id = seeded.ids[0] ?? '';
    expect(((await (await admin(`/records/${id}`)).json()) as Record<string, unknown>)['Name']).toBe('A');
    await admin('/validation-rules', 'POST', { field: 'Name', equals: 'Blocked', message: 'No blocked deals', times: 1 });
    const blocked = await api(`/sobjects/Opportunity/${id}`, { method: 'PATCH', body: JSON.stringify({ Name: 'Blocked' }) });
    expect(await blocked.json()).toEqual([{ message: 'No blocked deals', errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', fields: ['Name'] }]);
    expect((await api(`/sobjects/Opportunity/${id}`, { method: 'PATCH', body: JSON.stringify({ Name: 'Blocked' }) })).status).toBe(204);
    await admin('/faults', 'POST', { kind: 'rate_limit', times: 1 });
    const limited = await api('/limits');
    expect(limited.status).toBe(403);
    expect(await limited.json()).toEqual([{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED', fields: [] }]);
    expect((await api('/limits')).status).toBe(200);
    await admin('/faults', 'POST', { kind: 'reset', times: 1 });
    await expect(api('/limits')).rejects.toThrow();
    await admin('/modstamp', 'POST', { pin: '2026-04-01T00:00:00Z' });
    await admin(`/records/${id}`, 'PATCH', { fields: { Amount: 5 } });
    expect(((await (await admin(`/records/${id}`)).json()) as Record<string, unknown>)['SystemModstamp']).toBe('2026-04-01T00:00:00.000+0000');
    await admin('/clock', 'POST', { now: '2030-01-01T00:00:00Z' });
    const deleted = await api(`/sobjects/Opportunity/deleted/?start=2029-12-31T00:00:00Z&end=2030-02-01T00:00:00Z`);
    expect(((await deleted.json()) as { latestDateCovered: string }).latestDateCovered).toBe('2030-01-01T00:00:00.000+0000');
    const stats = (await (await admin('/stats')).json()) as { apiCalls: number; tokenRequests: number };
    expect(stats.tokenRequests).toBe(1);
    expect(stats.apiCalls).toBeGreaterThanOrEqual(4);
    await admin('/expire-sessions', 'POST');
    expect((await api('/limits')).status).toBe(401);
  });
});
