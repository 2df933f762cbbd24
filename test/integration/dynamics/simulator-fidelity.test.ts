/** The Dataverse simulator refuses and computes what a real organisation refuses and computes. */
import axios from 'axios';
import { startDynamicsSimulator, type DynamicsSimulator } from '../../../connectors/dynamics/simulator';
import { opportunity } from './setup';

describe('Dataverse simulator fidelity', () => {
  let sim: DynamicsSimulator;
  let token = '';
  beforeAll(async () => {
    sim = await startDynamicsSimulator();
    const res = await axios.post<{ access_token: string }>(
      sim.tokenUrl,
      new URLSearchParams({ grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret, scope: `${sim.url}/.default` }).toString(),
      { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
    );
    token = res.data.access_token;
  });
  afterAll(async () => sim.close());

  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await axios.request<string>({
      method,
      url: `${sim.apiBase}/${path}`,
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', 'Content-Type': 'application/json', Prefer: 'return=representation' },
      data: body === undefined ? undefined : JSON.stringify(body),
      responseType: 'text',
      transformResponse: [(d: unknown) => d],
      validateStatus: () => true,
    });
    return { status: res.status, json: res.data ? (JSON.parse(res.data) as Record<string, unknown>) : {} };
  };
  const names = (json: Record<string, unknown>): string[] => (json.value as Array<{ name: string }>).map((r) => r.name).sort();

  it('evaluates contains, startswith and endswith in $filter, ignoring case', async () => {
    sim.seed([opportunity(1, { name: 'Contoso expansion' }), opportunity(2, { name: 'Fabrikam renewal' }), opportunity(3, { name: 'New CONTOSO deal' })]);
    expect(names((await api('GET', "opportunities?$select=name&$filter=contains(name,'contoso')")).json)).toEqual(['Contoso expansion', 'New CONTOSO deal']);
    expect(names((await api('GET', "opportunities?$select=name&$filter=startswith(name,'fabrikam')")).json)).toEqual(['Fabrikam renewal']);
    expect(names((await api('GET', "opportunities?$select=name&$filter=endswith(name,'deal') or endswith(name,'renewal')")).json)).toEqual(['Fabrikam renewal', 'New CONTOSO deal']);
    expect((await api('GET', "opportunities?$filter=contains(nosuchcolumn,'x')")).status).toBe(400);
  });

  it.each(['$expand=customerid_account', '$count=true', '$apply=aggregate(estimatedvalue with sum as total)', 'fetchXml=%3Cfetch%3E%3C%2Ffetch%3E'])('refuses %s, which it does not implement, instead of ignoring it', async (option) => {
    const res = await api('GET', `opportunities?$select=name&${option}`);
    expect(res.status).toBe(501);
    expect(JSON.stringify(res.json)).toContain(`${option.split('=')[0] ?? ''} is not implemented`);
  });

  it('gives rows large version numbers, as real organisations do', async () => {
    const res = await api('POST', 'opportunities?$select=versionnumber', { name: 'Versioned', estimatedvalue: 1 });
    expect(res.status).toBe(201);
    expect(Number(res.json.versionnumber)).toBeGreaterThan(2 ** 32);
  });

  it('enforces column lengths and number ranges', async () => {
    const long = await api('POST', 'opportunities', { name: 'x'.repeat(301) });
    expect(long.status).toBe(400);
    expect(JSON.stringify(long.json)).toContain("maximum allowed length of '300'");
    const huge = await api('POST', 'opportunities', { name: 'Huge', estimatedvalue: 1e308 });
    expect(huge.status).toBe(400);
    expect(JSON.stringify(huge.json)).toContain('outside the valid range');
    const fraction = await api('POST', 'opportunities', { name: 'Fraction', closeprobability: 2.5 });
    expect(fraction.status).toBe(400);
    // A floating point column keeps its own range and precision (an account's latitude: -90..90, 5 places).
    const offEarth = await api('POST', 'accounts', { name: 'Off Earth', address1_latitude: 90.5 });
    expect(offEarth.status).toBe(400);
    expect(JSON.stringify(offEarth.json)).toContain('outside the valid range (-90 to 90)');
    const placed = await api('POST', 'accounts?$select=address1_latitude', { name: 'Placed', address1_latitude: 47.6395831 });
    expect(placed.json.address1_latitude).toBe(47.63958);
  });

  it('rounds money to the currency precision', async () => {
    const res = await api('POST', 'opportunities?$select=estimatedvalue', { name: 'Rounded', estimatedvalue: 1234.567 });
    expect(res.status).toBe(201);
    expect(res.json.estimatedvalue).toBe(1234.57);
  });

  it('lists the co-sell alternate key in EntityDefinitions Keys', async () => {
    const keys = await api('GET', "EntityDefinitions(LogicalName='opportunity')/Keys");
    expect(keys.status).toBe(200);
    expect(keys.json.value).toEqual([expect.objectContaining({ KeyAttributes: ['cosell_cosellid'], EntityKeyIndexStatus: 'Active' })]);
    const expanded = await api('GET', "EntityDefinitions(LogicalName='opportunity')?$expand=Keys");
    expect(expanded.json.Keys).toEqual(keys.json.value);
  });
});
