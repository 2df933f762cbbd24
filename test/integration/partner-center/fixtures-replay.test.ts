/**
 * Microsoft's own request/response examples (test/fixtures/partner-center, sources.json) replayed
 * with nock through the connector, and the simulator checked against the same files.
 */
import nock from 'nock';
import { createPartnerCenterConnector } from '../../../connectors/partner-center';
import type { PartnerCenterSimulator } from '../../../connectors/partner-center/simulator';
import { startPartnerCenterSimulator } from '../../../connectors/partner-center/simulator';
import createRequest from '../../fixtures/partner-center/create-referral.request.json';
import createResponse from '../../fixtures/partner-center/create-referral.response.json';
import getResponse from '../../fixtures/partner-center/get-referral.response.json';
import listResponse from '../../fixtures/partner-center/list-referrals.response.json';
import lookupNotFound from '../../fixtures/partner-center/partner-lookup.not-found.response.json';
import lookupResponse from '../../fixtures/partner-center/partner-lookup.response.json';
import { createPartnerLookup } from '../../../connectors/partner-center/partner-lookup';
import { connectorFor, FAST_RETRY, quietLogger } from './setup';

const HOST = 'https://api.partner.microsoft.com';
const TOKEN = 'fixture-token';

const connector = () =>
  createPartnerCenterConnector(
    { name: 'pc-fixtures', apiBase: `${HOST}/v1.0/engagements`, retry: FAST_RETRY },
    { logger: quietLogger(), tokens: { token: async () => TOKEN } },
  );

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

describe('documented examples through the connector (nock)', () => {
  it('lists the example page and follows its @odata.nextLink', async () => {
    const first = nock(HOST, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get('/v1.0/engagements/referrals')
      .query({ $top: '100' })
      .reply(200, listResponse);
    // The documented nextLink points at http://api.partner.microsoft.com/v1.0/referrals?$skiptoken=…
    const next = new URL(listResponse['@odata.nextLink']);
    const second = nock(next.origin)
      .get(next.pathname)
      .query((q) => q['$skiptoken'] === next.searchParams.get('$skiptoken'))
      .reply(200, { value: [] });
    const pages = [];
    for await (const page of connector().list({})) pages.push(page);
    expect(pages.map((p) => p.referrals.length)).toEqual([listResponse.value.length, 0]);
    expect(pages[0]?.referrals.map((r) => r.id)).toEqual(listResponse.value.map((r) => r.id));
    expect(pages[1]?.nextLink).toBeNull();
    first.done();
    second.done();
  });

  it('reads the get-by-id example, ETag header preferred to the body', async () => {
    const scope = nock(HOST)
      .get(`/v1.0/engagements/referrals/${getResponse.id}`)
      .matchHeader('client-request-id', /^[0-9a-f-]{36}$/)
      .reply(200, getResponse, { ETag: '"etag-from-header"' });
    const r = await connector().get(getResponse.id);
    expect(r?.customerProfile?.name).toBe(getResponse.customerProfile.name);
    expect(r?.eTag).toBe('"etag-from-header"');
    scope.done();
  });

  it('posts the create example body unchanged and parses the documented response', async () => {
    const scope = nock(HOST).post('/v1.0/engagements/referrals', createRequest).reply(201, createResponse);
    const r = await connector().create(createRequest);
    expect(r.id).toBe(createResponse.id);
    expect(r.eTag).toBe(createResponse.eTag);
    scope.done();
  });

  it('parses the documented error shape into a typed error', async () => {
    nock(HOST)
      .get('/v1.0/engagements/referrals/missing')
      .reply(404, { error: { code: 'itemNotFound', message: 'not found' } });
    nock(HOST)
      .patch('/v1.0/engagements/referrals/r1')
      .matchHeader('if-match', '"old"')
      .reply(412, { error: { code: 'preconditionFailed', message: 'changed' } });
    const api = connector();
    expect(await api.get('missing')).toBeNull();
    await expect(api.patch({ id: 'r1', etag: '"old"', operations: [{ op: 'replace', path: '/details/notes', value: 'x' }] })).rejects.toMatchObject({
      code: 'conflict',
      crmCode: 'preconditionFailed',
      httpStatus: 412,
    });
  });

  it('refuses a response that is not a referral, naming the field', async () => {
    nock(HOST).get('/v1.0/engagements/referrals/bad').reply(200, { name: 'no id' });
    await expect(connector().get('bad')).rejects.toThrow(/get referral: unexpected response shape \(id: /);
  });
});

describe('documented partner lookup examples through the connector (nock)', () => {
  const PC_HOST = 'https://api.partnercenter.microsoft.com';
  const lookup = () => createPartnerLookup({ name: 'pc-fixtures', retry: FAST_RETRY }, { logger: quietLogger(), tokens: { token: async () => TOKEN } });

  it('reads the success example as a known partner, on the documented host and path', async () => {
    const scope = nock(PC_HOST, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get('/v1/profiles/mpn')
      .query({ mpnId: '9999999' })
      .reply(200, lookupResponse);
    await expect(lookup().lookupPartner('9999999')).resolves.toEqual({ partnerId: '9999999', name: null });
    scope.done();
  });

  it('reads the 404 example as an unknown partner, and keeps its description on other failures', async () => {
    const scope = nock(PC_HOST).get('/v1/profiles/mpn').query({ mpnId: '9999999' }).reply(404, lookupNotFound);
    await expect(lookup().lookupPartner('9999999')).resolves.toBeNull();
    scope.done();
    nock(PC_HOST).get('/v1/profiles/mpn').query({ mpnId: '1' }).reply(400, { ...lookupNotFound, description: 'bad partner id' });
    await expect(lookup().lookupPartner('1')).rejects.toMatchObject({ code: 'validation', crmCode: '3000', message: 'look up partner: bad partner id' });
  });
});

describe('the simulator against the documented examples', () => {
  let sim: PartnerCenterSimulator;
  beforeAll(async () => {
    nock.enableNetConnect('127.0.0.1');
    sim = await startPartnerCenterSimulator();
  });
  afterAll(() => sim.close());

  const keysOf = (v: object): string[] => Object.keys(v).sort();

  it('answers the create example with every member the documented response has', async () => {
    const created = await connectorFor(sim).create(createRequest);
    const missing = keysOf(createResponse).filter((k) => !(k in created));
    expect(missing).toEqual([]);
    expect(keysOf(created.links as object)).toEqual(keysOf(createResponse.links));
    expect(created.eTag).toMatch(/^".*"$/);
  });

  it('answers the partner lookup with the documented success and failure shapes', async () => {
    sim.addPartner('4391507', 'Fabrikam');
    const get = async (id: string) => {
      const res = await fetch(`${sim.partnerApiBase}/profiles/mpn?mpnId=${id}`, { headers: { Authorization: `Bearer ${sim.token}` } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const found = await get('4391507');
    expect(found.status).toBe(200);
    expect(keysOf(lookupResponse).filter((k) => !(k in found.body))).toEqual([]);
    expect(found.body['attributes']).toEqual(lookupResponse.attributes);
    const missing = await get('9999999');
    expect(missing.status).toBe(404);
    expect(keysOf(missing.body)).toEqual(keysOf(lookupNotFound));
    expect(missing.body).toEqual(lookupNotFound);
  });

  it('lists in the documented page shape', async () => {
    sim.receive({ ...createRequest });
    const res = await fetch(`${sim.apiBase}/referrals`, { headers: { Authorization: `Bearer ${sim.token}` } });
    const body = (await res.json()) as Record<string, unknown>;
    const documented = keysOf(listResponse).filter((k) => k !== '@odata.nextLink');
    expect(keysOf(body)).toEqual(documented);
    const [item] = body['value'] as Record<string, unknown>[];
    const missing = keysOf(getResponse).filter((k) => k !== '@odata.context' && !(k in (item ?? {})));
    expect(missing).toEqual([]);
  });
});

// nock patches Node's http module and fetch, which the later test files of this jest worker share:
// undone here, or their requests would still pass through this file's interceptor.
afterAll(() => nock.restore());
