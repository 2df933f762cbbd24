/** The Salesforce simulator refuses and stamps what a real org refuses and stamps. */
import { startSalesforceSimulator, type SalesforceSimulator, type SalesforceSimulatorOptions } from '../../../connectors/salesforce/simulator';

describe('Salesforce simulator fidelity', () => {
  let sim: SalesforceSimulator;
  let token = '';
  const start = async (options: SalesforceSimulatorOptions = {}): Promise<void> => {
    sim = await startSalesforceSimulator({ ...options, auth: { clientId: 'cid', clientSecret: 'secret' } });
    const res = await fetch(`${sim.url}/services/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=cid&client_secret=secret' });
    token = ((await res.json()) as { access_token: string }).access_token;
  };
  const api = async (path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${sim.url}/services/data/v62.0${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  };
  const query = (soql: string): Promise<{ status: number; body: unknown }> => api(`/query?q=${encodeURIComponent(soql)}`);
  const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  afterEach(async () => sim.close());

  it('refuses AND and OR at one level without parentheses (MALFORMED_QUERY)', async () => {
    await start();
    for (const where of ["Name = 'a' AND StageName = 'b' OR Amount > 1", "Name = 'a' OR StageName = 'b' AND Amount > 1"]) {
      const res = await query(`SELECT Id FROM Opportunity WHERE ${where}`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual([expect.objectContaining({ errorCode: 'MALFORMED_QUERY' })]);
    }
    expect((await query("SELECT Id FROM Opportunity WHERE (Name = 'a' AND StageName = 'b') OR Amount > 1")).status).toBe(200);
    expect((await query("SELECT Id FROM Opportunity WHERE Name = 'a' AND (StageName = 'b' OR Amount > 1) AND Amount < 5")).status).toBe(200);
    expect((await query("SELECT Id FROM Opportunity WHERE Name = 'a' OR Name = 'b' OR Name = 'c'")).status).toBe(200);
  });

  it('reports deleted records for no more than 15 days back', async () => {
    await start();
    const now = Date.now();
    const tooOld = await api(`/sobjects/Opportunity/deleted/?start=${encodeURIComponent(iso(now - 16 * 86_400_000))}&end=${encodeURIComponent(iso(now))}`);
    expect(tooOld.status).toBe(400);
    expect(tooOld.body).toEqual([expect.objectContaining({ errorCode: 'INVALID_REPLICATION_DATE' })]);
    expect((await api(`/sobjects/Opportunity/deleted/?start=${encodeURIComponent(iso(now - 14 * 86_400_000))}&end=${encodeURIComponent(iso(now))}`)).status).toBe(200);
  });

  it('reports updated records for no more than 30 days back', async () => {
    await start();
    const now = Date.now();
    const tooOld = await api(`/sobjects/Opportunity/updated/?start=${encodeURIComponent(iso(now - 31 * 86_400_000))}&end=${encodeURIComponent(iso(now))}`);
    expect(tooOld.status).toBe(400);
    expect(tooOld.body).toEqual([expect.objectContaining({ errorCode: 'INVALID_REPLICATION_DATE' })]);
    expect((await api(`/sobjects/Opportunity/updated/?start=${encodeURIComponent(iso(now - 29 * 86_400_000))}&end=${encodeURIComponent(iso(now))}`)).status).toBe(200);
  });

  it('refuses an 18-character id whose case-safe suffix does not match (MALFORMED_ID)', async () => {
    await start();
    const [id = ''] = sim.seed([{ Name: 'Kept', StageName: 'Prospecting', CloseDate: '2026-12-31' }]);
    const wrong = `${id.slice(0, 15)}${id.slice(15) === 'AAA' ? 'AAB' : 'AAA'}`;
    for (const [method, body] of [['GET', undefined], ['PATCH', JSON.stringify({ Name: 'x' })], ['DELETE', undefined]] as const) {
      const res = await api(`/sobjects/Opportunity/${wrong}`, { method, ...(body ? { body } : {}) });
      expect(res.status).toBe(400);
      expect(res.body).toEqual([{ errorCode: 'MALFORMED_ID', message: `Opportunity ID: id value of incorrect type: ${wrong}`, fields: ['Id'] }]);
    }
    expect((await api(`/sobjects/Opportunity/${id}`)).status).toBe(200);
    expect((await api(`/sobjects/Opportunity/${id.slice(0, 15)}`)).status).toBe(200);
  });

  it('refuses calls past the daily API request allocation, counted over the last 24 hours', async () => {
    await start({ apiLimit: 3 });
    sim.setClock({ now: '2026-06-01T10:00:00Z' });
    sim.spendApiRequests(1);
    expect((await api('/limits')).status).toBe(200);
    const last = await fetch(`${sim.url}/services/data/v62.0/limits`, { headers: { authorization: `Bearer ${token}` } });
    expect(last.headers.get('sforce-limit-info')).toBe('api-usage=3/3');
    expect(await api('/limits')).toEqual({ status: 403, body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.', fields: [] }] });
    sim.setClock({ now: '2026-06-02T09:59:00Z' });
    expect((await api('/limits')).status).toBe(403);
    sim.setClock({ now: '2026-06-02T10:00:00Z' });
    expect((await api('/limits')).body).toMatchObject({ DailyApiRequests: { Max: 3, Remaining: 2 } });
  });

  it('aborts a query job that is not complete: Aborted when polled, no results', async () => {
    await start();
    const created = (await api('/jobs/query', { method: 'POST', body: JSON.stringify({ operation: 'query', query: 'SELECT Id FROM Opportunity' }) })).body as { id: string };
    expect((await api(`/jobs/query/${created.id}`, { method: 'PATCH', body: JSON.stringify({ state: 'Aborted' }) })).status).toBe(200);
    expect(((await api(`/jobs/query/${created.id}`)).body as { state: string }).state).toBe('Aborted');
    expect((await api(`/jobs/query/${created.id}/results`)).status).toBe(412);
  });

  it('ignores the seconds of getUpdated/getDeleted start and end, as an org does', async () => {
    await start();
    const minute = Date.UTC(2026, 5, 1, 10, 30, 0);
    sim.setClock({ now: minute + 20_000 });
    const [id] = sim.seed([{ Name: 'Gone', StageName: 'Prospecting', CloseDate: '2026-12-31' }]);
    sim.setClock({ now: minute + 40_000 });
    sim.remove(id ?? '');
    sim.setClock({ now: minute + 50_000 });
    const window = `?start=${encodeURIComponent(iso(minute + 10_000))}&end=${encodeURIComponent(iso(minute + 50_000))}`;
    // The end is taken at 10:30:00, before the delete at 10:30:40 and the update at 10:30:20.
    const deleted = (await api(`/sobjects/Opportunity/deleted/${window}`)).body as { deletedRecords: unknown[]; latestDateCovered: string };
    expect(deleted.deletedRecords).toEqual([]);
    expect(deleted.latestDateCovered).toBe('2026-06-01T10:30:00.000+0000');
    sim.setClock({ now: minute + 70_000 });
    const later = `?start=${encodeURIComponent(iso(minute + 10_000))}&end=${encodeURIComponent(iso(minute + 65_000))}`;
    expect(((await api(`/sobjects/Opportunity/deleted/${later}`)).body as { deletedRecords: Array<{ id: string }> }).deletedRecords.map((d) => d.id)).toEqual([id]);
    const updated = (await api(`/sobjects/Opportunity/updated/${window}`)).body as { ids: string[] };
    expect(updated.ids).toEqual([]);
  });

  it('refuses a CampaignId that is not a campaign id, or names no campaign', async () => {
    await start();
    const [campaign] = sim.seed([{ Name: 'Spring launch' }], 'Campaign');
    const create = (CampaignId: string): Promise<{ status: number; body: unknown }> =>
      api('/sobjects/Opportunity/', { method: 'POST', body: JSON.stringify({ Name: 'Deal', StageName: 'Prospecting', CloseDate: '2026-12-31', CampaignId }) });
    const malformed = await create('not-an-id');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual([expect.objectContaining({ errorCode: 'MALFORMED_ID', fields: ['CampaignId'] })]);
    const wrongObject = await create('001000000000001AAA');
    expect(wrongObject.body).toEqual([expect.objectContaining({ errorCode: 'MALFORMED_ID' })]);
    const missing = await create('701000000000999AAA');
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual([expect.objectContaining({ errorCode: 'INVALID_CROSS_REFERENCE_KEY', fields: ['CampaignId'] })]);
    expect((await create(campaign ?? '')).status).toBe(201);
  });

  it('stamps whole seconds at write time, so a burst never runs ahead of the clock', async () => {
    await start();
    const ids = sim.seed(Array.from({ length: 2250 }, (_, i) => ({ Name: `Burst ${i}`, StageName: 'Prospecting', CloseDate: '2026-12-31' })));
    const after = Date.now();
    const stamps = ids.map((id) => Date.parse(String(sim.get(id)?.['SystemModstamp']).replace(/\+0000$/, 'Z')));
    expect(stamps.every((s) => s % 1000 === 0)).toBe(true);
    expect(Math.max(...stamps)).toBeLessThanOrEqual(after);
  });
});
