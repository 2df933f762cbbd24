/**
 * The Dataverse Web API examples of Microsoft's documentation (test/fixtures/dynamics/), replayed
 * with nock through the connector, and sent to the simulator with its answers compared to the
 * documented ones; every difference is either listed with its reason in
 * test/fixtures/dynamics/simulator-differences.json or fails.
 */
import axios from 'axios';
import nock from 'nock';
import { createDynamicsConnector } from '../../../connectors/dynamics';
import { startDynamicsSimulator, type DynamicsSimulator } from '../../../connectors/dynamics/simulator';
import { silentLogger } from '../../../src/log';
import type { CrmConnector, WriteResult } from '../../../src/ports/connector';
import { compareAnswers, loadAllowList, loadFixtures, responseHeaders, responseText, type VendorFixture } from '../../helpers/vendor-fixtures';
import { collect } from './setup';

const ORG = 'https://contoso.crm.dynamics.com';
const fixtures = loadFixtures('dynamics');
const fixture = (name: string): VendorFixture => {
  const f = fixtures.get(name);
  if (!f) throw new Error(`no fixture ${name}`);
  return f;
};

/** A documented single-request answer as Dataverse returns it inside a `$batch` reply (one part, not in a changeset). */
function asBatchPart(f: VendorFixture): { body: string; contentType: string } {
  const boundary = 'batchresponse_4c5e3a10-0000-4000-8000-000000000001';
  const reason = { 404: 'Not Found', 412: 'Precondition Failed' }[f.response.status] ?? 'OK';
  const headers = Object.entries(f.response.headers).map(([k, v]) => `${k}: ${v}`);
  const part = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary', '', `HTTP/1.1 ${f.response.status} ${reason}`, ...headers, '', responseText(f, ORG)];
  return { body: [`--${boundary}`, ...part, `--${boundary}--`, ''].join('\r\n'), contentType: `multipart/mixed; boundary=${boundary}` };
}

const failed = (r: WriteResult | undefined): Extract<WriteResult, { ok: false }> => {
  if (!r || r.ok) throw new Error(`expected a failed write, got ${JSON.stringify(r)}`);
  return r;
};

interface Ctx {
  connect(options?: { entitySet?: string; apiVersion?: string }): CrmConnector;
}

/** One replay per fixture: what the connector makes of the documented answer. */
const replays: Record<string, (ctx: Ctx) => Promise<void>> = {
  'change-tracking-initial': async ({ connect }) => {
    const f = fixture('change-tracking-initial');
    let prefer = '';
    nock(ORG)
      .get((uri) => uri.startsWith('/api/data/v9.0/accounts?'))
      .reply(function reply() {
        prefer = String(this.req.headers['prefer']);
        return [f.response.status, responseText(f, ORG), responseHeaders(f)];
      });
    const pages = await collect(connect({ entitySet: 'accounts', apiVersion: 'v9.0' }).readChanges({ cursor: null, fields: ['name', 'telephone1', 'fax'] }));
    expect(prefer).toContain('odata.track-changes');
    expect(pages).toHaveLength(1);
    expect(pages[0]?.records.map((r) => r.fields)).toEqual([expect.objectContaining({ name: 'Monte Orton', telephone1: '555000', fax: '10101', accountnumber: null })]);
    expect(pages[0]?.fullResync).toBe(true);
    expect(pages[0]?.cursor).toBe('delta:accounts?$select=name,accountnumber,telephone1,fax&$deltatoken=919042%2108%2f22%2f2017%2008%3a10%3a44');
  },
  'change-tracking-delta': async ({ connect }) => {
    const f = fixture('change-tracking-delta');
    nock(ORG).get(f.request.path).reply(f.response.status, responseText(f, ORG), responseHeaders(f));
    const cursor = 'delta:accounts?$select=name,accountnumber,telephone1,fax&$deltatoken=919042%2108%2f22%2f2017%2008%3a10%3a44';
    const pages = await collect(connect({ entitySet: 'accounts', apiVersion: 'v9.0' }).readChanges({ cursor, fields: ['name'] }));
    expect(pages).toHaveLength(1);
    expect(pages[0]?.deletedIds).toEqual(['2e451703-c686-e711-80e5-00155db19e6d']);
    expect(pages[0]?.records.map((r) => r.fields.name)).toEqual(['Monte Orton']);
    expect(pages[0]?.fullResync).toBe(false);
    expect(pages[0]?.cursor).toBe('delta:accounts?$select=name,telephone1,fax&$deltatoken=919058%2108%2f22%2f2017%2008%3a21%3a20');
  },
  'batch-changeset': async ({ connect }) => {
    const f = fixture('batch-changeset');
    let sent = '';
    nock(ORG)
      .post('/api/data/v9.2/$batch', (body: unknown) => {
        sent = String(body);
        return true;
      })
      .reply(f.response.status, responseText(f, ORG), responseHeaders(f));
    const id = '00000000-0000-0000-0000-000000000001';
    // Reopen, the column change and WinOpportunity: three requests in one changeset, as in the example.
    const [result] = await connect().writeBatch([{ kind: 'update', id, expectedVersion: '470867', fields: { name: 'Won deal', statecode: 1 } }]);
    expect(sent).toMatch(/Content-Type: multipart\/mixed; boundary=changeset_/);
    expect(sent.match(/^(PATCH|POST) /gm)).toEqual(['PATCH ', 'PATCH ', 'POST ']);
    expect(result).toEqual({ ok: true, id, created: false, version: null });
  },
  'update-if-match-412': async ({ connect }) => {
    const f = fixture('update-if-match-412');
    const { body, contentType } = asBatchPart(f);
    let sent = '';
    nock(ORG)
      .post('/api/data/v9.2/$batch', (b: unknown) => {
        sent = String(b);
        return true;
      })
      .reply(200, body, { 'Content-Type': contentType, 'OData-Version': '4.0' });
    const id = '00000000-0000-0000-0000-000000000001';
    const [result] = await connect().writeBatch([{ kind: 'update', id, expectedVersion: '470867', fields: { name: 'Updated Account Name' } }]);
    expect(sent).toContain(`If-Match: ${f.request.headers['If-Match'] ?? ''}`);
    const r = failed(result);
    expect(r.stale).toBe(true);
    expect(r.error.code).toBe('conflict');
    expect(r.error.message).toContain("doesn't match the RowVersion");
  },
  'upsert-prevent-create-404': async ({ connect }) => {
    const f = fixture('upsert-prevent-create-404');
    const { body, contentType } = asBatchPart(f);
    let sent = '';
    nock(ORG)
      .post('/api/data/v9.2/$batch', (b: unknown) => {
        sent = String(b);
        return true;
      })
      .reply(200, body, { 'Content-Type': contentType, 'OData-Version': '4.0' });
    const id = '00000000-0000-0000-0000-000000000001';
    const [result] = await connect().writeBatch([{ kind: 'update', id, expectedVersion: null, fields: { name: 'Updated Sample Account ' } }]);
    expect(sent).toContain('If-Match: *');
    const r = failed(result);
    expect(r.stale).toBe(false);
    expect(r.error.code).toBe('not_found');
    expect(r.error.message).toContain('Does Not Exist');
  },
};

describe('Dataverse documentation examples', () => {
  let sim: DynamicsSimulator;
  beforeAll(async () => {
    sim = await startDynamicsSimulator();
    nock.disableNetConnect();
    nock.enableNetConnect((host) => host.startsWith('127.0.0.1'));
  });
  afterAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await sim.close();
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending).toEqual([]);
  });

  it('every fixture has a replay and every replay a fixture', () => {
    expect([...fixtures.keys()].sort()).toEqual(Object.keys(replays).sort());
  });

  const connect: Ctx['connect'] = (options = {}) =>
    createDynamicsConnector(
      {
        name: 'docs',
        url: ORG,
        auth: { tenantId: sim.tenantId, clientId: sim.clientId, clientSecret: sim.clientSecret, authority: sim.authority },
        retry: { maxAttempts: 1 },
        ...options,
      },
      { logger: silentLogger },
    );

  it.each(Object.keys(replays))('replays %s through the connector', async (name) => {
    await (replays[name] as (ctx: Ctx) => Promise<void>)({ connect });
  });

  /** Status, the headers that matter and the documented body's fields, against the simulator's answer. */
  const HEADERS = ['content-type', 'odata-version', 'odata-entityid', 'preference-applied'];
  const allowed = loadAllowList('dynamics');

  async function simulatorAnswer(f: VendorFixture): Promise<{ status: number; headers: Record<string, string>; text: string }> {
    const token = await axios.post<{ access_token: string }>(sim.tokenUrl, new URLSearchParams({ grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret, scope: `${sim.url}/.default` }).toString(), { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    // The examples use several Web API versions; the simulator serves v9.2, whose answers have the same shape.
    const path = f.request.path.replace(/^\/api\/data\/v9\.\d\//, '/api/data/v9.2/');
    let body = f.request.json !== undefined ? JSON.stringify(f.request.json) : f.request.body;
    if (body !== undefined) body = body.replace(/\/api\/data\/v9\.\d\//g, '/api/data/v9.2/');
    const res = await axios.request<string>({
      method: f.request.method,
      url: `${sim.url}${path}`,
      headers: { ...f.request.headers, Authorization: `Bearer ${token.data.access_token}` },
      data: body,
      responseType: 'text',
      transformResponse: [(d: unknown) => d],
      validateStatus: () => true,
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
    return { status: res.status, headers, text: res.data };
  }

  /** The state each example assumes: the row it updates exists, or does not. */
  const DOC_ROW = '00000000-0000-0000-0000-000000000001';
  const prepare: Record<string, () => void> = {
    'change-tracking-initial': () => void sim.seed([{ accountid: '60c4e274-0d87-e711-80e5-00155db19e6d', name: 'Monte Orton', telephone1: '555000', fax: '10101' }], 'accounts'),
    'update-if-match-412': () => void sim.seed([{ accountid: DOC_ROW, name: 'Sample Account' }], 'accounts'),
    'upsert-prevent-create-404': () => void sim.remove(DOC_ROW, 'accounts'),
  };

  it.each([...fixtures.keys()])('the simulator answers %s as documented, or the difference is listed', async (name) => {
    const f = fixture(name);
    prepare[name]?.();
    const doc = { status: f.response.status, headers: f.response.headers, ...(f.response.json !== undefined ? { json: f.response.json } : {}) };
    const diffs = compareAnswers(doc, await simulatorAnswer(f), HEADERS);
    const listed = allowed[name] ?? {};
    if (process.env.COSELL_SHOW_DIFFERENCES) console.log(name, diffs);
    expect({ unlisted: diffs.filter((d) => !(d in listed)), stale: Object.keys(listed).filter((d) => !diffs.includes(d)) }).toEqual({ unlisted: [], stale: [] });
  });

  it('lists differences only for fixtures that exist, each with a reason', () => {
    for (const [name, entries] of Object.entries(allowed)) {
      expect(fixtures.has(name) ? name : `${name} is not a fixture`).toBe(name);
      for (const reason of Object.values(entries)) expect(reason.length).toBeGreaterThan(10);
    }
  });
});
