/**
 * The Dataverse Web API examples of Microsoft's documentation (test/fixtures/dynamics/), replayed
 * with nock through the connector, and sent to the simulator with its answers compared to the
 * documented ones; every difference is either listed with its reason in
 * test/fixtures/dynamics/simulator-differences.json or fails.
 */
import axios from 'axios';
import nock from 'nock';
import { createDynamicsConnector } from '../../../connectors/dynamics';
import { createTokenSource } from '../../../connectors/dynamics/auth';
import { WebApiClient } from '../../../connectors/dynamics/web-api';
import { startDynamicsSimulator, type DynamicsSimulator } from '../../../connectors/dynamics/simulator';
import { silentLogger } from '../../../src/log';
import type { CrmConnector, WriteResult } from '../../../src/ports/connector';
import { compareAnswers, loadAllowList, loadFixtures, responseHeaders, responseText, type VendorFixture } from '../../helpers/vendor-fixtures';
import { collect, opportunity } from './setup';

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

/** Replies to one changeset: each request's status and headers (the last one may be a documented answer). */
function asChangesetReply(parts: Array<{ status: number; headers: Record<string, string>; body?: string }>): { body: string; contentType: string } {
  const batch = 'batchresponse_4c5e3a10-0000-4000-8000-000000000002';
  const changeset = 'changesetresponse_4c5e3a10-0000-4000-8000-000000000003';
  const reason: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content' };
  const inner = parts.flatMap((p, i) => [
    `--${changeset}`,
    'Content-Type: application/http',
    'Content-Transfer-Encoding: binary',
    `Content-ID: ${i + 1}`,
    '',
    `HTTP/1.1 ${p.status} ${reason[p.status] ?? ''}`,
    ...Object.entries(p.headers).map(([k, v]) => `${k}: ${v}`),
    '',
    p.body ?? '',
  ]);
  const body = [`--${batch}`, `Content-Type: multipart/mixed; boundary=${changeset}`, '', ...inner, `--${changeset}--`, `--${batch}--`, ''].join('\r\n');
  return { body, contentType: `multipart/mixed; boundary=${batch}` };
}

/** Answers the connector's `$batch` with `reply`, keeping what was sent. */
function batchReply(reply: { body: string; contentType?: string }, status = 200): { sent: () => string; prefer: () => string } {
  let sent = '';
  let prefer = '';
  nock(ORG)
    .post('/api/data/v9.2/$batch', (b: unknown) => {
      sent = String(b);
      return true;
    })
    .reply(function answer() {
      prefer = String(this.req.headers['prefer']);
      return [status, reply.body, reply.contentType ? { 'Content-Type': reply.contentType, 'OData-Version': '4.0' } : { 'OData-Version': '4.0' }];
    });
  return { sent: () => sent, prefer: () => prefer };
}

const ok = (r: WriteResult | undefined): Extract<WriteResult, { ok: true }> => {
  if (!r || !r.ok) throw new Error(`expected a successful write, got ${JSON.stringify(r)}`);
  return r;
};

const failed = (r: WriteResult | undefined): Extract<WriteResult, { ok: false }> => {
  if (!r || r.ok) throw new Error(`expected a failed write, got ${JSON.stringify(r)}`);
  return r;
};

interface Ctx {
  connect(options?: { entitySet?: string; apiVersion?: string }): CrmConnector;
  /** The connector's Web API client alone, for metadata the sync does not read through the port (Keys). */
  webApi(): WebApiClient;
}

/** A Web API path as the connector sends it, decoded (quotes and parentheses may be escaped on the wire). */
const decoded = (uri: string): string => decodeURIComponent(uri);

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
  'create-odata-entityid': async ({ connect }) => {
    // An organisation that answers a create without the representation: the id is in OData-EntityId.
    const call = batchReply(asBatchPart(fixture('create-odata-entityid')));
    const [result] = await connect({ entitySet: 'accounts' }).writeBatch([{ kind: 'create', externalKey: 'docs-1', fields: { name: 'Sample Account' } }]);
    expect(call.sent()).toMatch(/^PATCH \/api\/data\/v9\.2\/accounts\(cosell_cosellid='docs-1'\)/m);
    // 204 tells no create from update, and carries no version.
    expect(ok(result)).toEqual({ ok: true, id: '7eb682f1-ca75-e511-80d4-00155d2a68d1', created: false, version: null });
  },
  'upsert-alternate-key-created': async ({ connect }) => {
    const call = batchReply(asBatchPart(fixture('upsert-alternate-key-created')));
    const [result] = await connect({ entitySet: 'example_records' }).writeBatch([{ kind: 'create', externalKey: '3', fields: { example_name: '3:3' } }]);
    expect(call.sent()).toMatch(/^Prefer: return=representation/m);
    expect(ok(result)).toEqual({ ok: true, id: 'ef0d112e-d70e-ed11-82e5-00224822577b', created: true, version: '71004878' });
  },
  'upsert-alternate-key-updated': async ({ connect }) => {
    batchReply(asBatchPart(fixture('upsert-alternate-key-updated')));
    const [result] = await connect({ entitySet: 'example_records' }).writeBatch([{ kind: 'create', externalKey: '3', fields: { example_name: '3:3 Updated' } }]);
    // The replayed create found the row it made: an update, with the new version.
    expect(ok(result)).toEqual({ ok: true, id: 'ef0d112e-d70e-ed11-82e5-00224822577b', created: false, version: '71004880' });
  },
  'error-with-annotations': async ({ connect }) => {
    batchReply(asBatchPart(fixture('error-with-annotations')));
    const [result] = await connect({ entitySet: 'accounts' }).writeBatch([{ kind: 'create', externalKey: 'docs-2', fields: { name: 'Example Account' } }]);
    const r = failed(result);
    expect(r.stale).toBe(false);
    expect(r.error).toMatchObject({ code: 'validation', crmCode: '0x80040265', httpStatus: 400, retryable: false });
    expect(r.error.message).toContain('Example Error Message.');
  },
  'batch-continue-on-error': async ({ connect }) => {
    const f = fixture('batch-continue-on-error');
    // The page's reply has no Content-Type: the connector finds the boundary in the body.
    const call = batchReply({ body: responseText(f, ORG) });
    const results = await connect({ entitySet: 'tasks' }).writeBatch([
      { kind: 'create', externalKey: 'docs-t1', fields: { subject: `Subject is too long ${'x'.repeat(300)}` } },
      { kind: 'create', externalKey: 'docs-t2', fields: { subject: 'Task 2 in batch' } },
      { kind: 'create', externalKey: 'docs-t3', fields: { subject: 'Task 3 in batch' } },
    ]);
    expect(call.prefer()).toContain('odata.continue-on-error');
    const first = failed(results[0]);
    expect(first.error).toMatchObject({ code: 'validation', crmCode: '0x80044331' });
    expect(first.error.message).toContain("exceeded the maximum allowed length of '200'");
    expect(results.slice(1).map((r) => ok(r).id)).toEqual(['aed2ae8b-3c94-ed11-aad1-000d3a9933c9', 'b181a991-3c94-ed11-aad1-000d3a9933c9']);
  },
  'win-opportunity': async ({ connect }) => {
    const f = fixture('win-opportunity');
    const id = 'b3828ac8-917a-e511-80d2-00155d2a68d2';
    // Reopen (guarded by If-Match), then the documented WinOpportunity answer, in one changeset.
    const call = batchReply(asChangesetReply([{ status: 204, headers: { 'OData-Version': '4.0' } }, { status: f.response.status, headers: f.response.headers }]));
    const [result] = await connect().writeBatch([{ kind: 'update', id, expectedVersion: '470867', fields: { statecode: 1 } }]);
    const action = /^POST \/api\/data\/v9\.2\/WinOpportunity HTTP\/1\.1[\s\S]*?\r?\n\r?\n(\{.*\})/m.exec(call.sent());
    expect(JSON.parse(action?.[1] ?? '{}')).toEqual({ Status: 3, OpportunityClose: { subject: 'Won', [`opportunityid@odata.bind`]: `/opportunities(${id})` } });
    // The action returns no row, so the version after the close is unknown.
    expect(ok(result)).toEqual({ ok: true, id, created: false, version: null });
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
  'lose-opportunity': async ({ connect }) => {
    const f = fixture('lose-opportunity');
    const id = 'b3828ac8-917a-e511-80d2-00155d2a68d2';
    const call = batchReply(asChangesetReply([{ status: 204, headers: { 'OData-Version': '4.0' } }, { status: f.response.status, headers: f.response.headers }]));
    const [result] = await connect().writeBatch([{ kind: 'update', id, expectedVersion: '470867', fields: { statecode: 2 } }]);
    const action = /^POST \/api\/data\/v9\.2\/LoseOpportunity HTTP\/1\.1[\s\S]*?\r?\n\r?\n(\{.*\})/m.exec(call.sent());
    // The documented parameters: the status reason (Canceled, 4, by default) and the opportunityclose to create.
    expect(JSON.parse(action?.[1] ?? '{}')).toEqual({ Status: 4, OpportunityClose: { subject: 'Lost', [`opportunityid@odata.bind`]: `/opportunities(${id})` } });
    expect(ok(result)).toEqual({ ok: true, id, created: false, version: null });
  },
  'service-protection-429': async ({ connect }) => {
    const f = fixture('service-protection-429');
    nock(ORG)
      .get((uri) => uri.startsWith('/api/data/v9.2/opportunities?'))
      .reply(f.response.status, responseText(f, ORG), responseHeaders(f));
    const error = await collect(connect().readChanges({ cursor: null, fields: ['name'] })).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 30_000, crmCode: '0x80072322', httpStatus: 429 });
  },
  'entity-definitions-attributes': async ({ connect }) => {
    const f = fixture('entity-definitions-attributes');
    const base = "/api/data/v9.2/EntityDefinitions(LogicalName='opportunity')/Attributes";
    nock(ORG)
      .get((uri) => decoded(uri) === base)
      .reply(f.response.status, responseText(f, ORG), responseHeaders(f));
    // The choice columns' casts answer with no choices: this example is about the columns themselves.
    nock(ORG)
      .get((uri) => decoded(uri).startsWith(`${base}/Microsoft.Dynamics.CRM.`))
      .times(3)
      .reply(200, { value: [] }, { 'Content-Type': 'application/json; odata.metadata=minimal' });
    const meta = await connect().describe();
    const field = (name: string): unknown => meta.fields.find((x) => x.name === name);
    expect(field('name')).toMatchObject({ type: 'string', nillable: false, createable: true, updateable: true });
    expect(field('estimatedvalue')).toMatchObject({ type: 'currency', scale: 2, nillable: true });
    expect(field('customerid')).toMatchObject({ type: 'reference', referenceTo: ['account', 'contact'], nillable: false });
    expect(field('_customerid_value')).toMatchObject({ type: 'reference', updateable: false });
    expect(field('estimatedclosedate')).toMatchObject({ type: 'date' });
  },
  'entity-definitions-keys': async ({ webApi }) => {
    const f = fixture('entity-definitions-keys');
    nock(ORG)
      .get((uri) => decoded(uri) === "/api/data/v9.2/EntityDefinitions(LogicalName='opportunity')/Keys")
      .reply(f.response.status, responseText(f, ORG), responseHeaders(f));
    const res = await webApi().send({ method: 'GET', url: "EntityDefinitions(LogicalName='opportunity')/Keys", operation: 'read keys' });
    const keys = (JSON.parse(res.text) as { value: Array<{ KeyAttributes: string[]; EntityKeyIndexStatus: string }> }).value;
    expect(keys).toEqual([expect.objectContaining({ KeyAttributes: ['cosell_cosellid'], EntityKeyIndexStatus: 'Active' })]);
  },
  'change-tracking-expired-token': async ({ connect }) => {
    // The organisation no longer honours the delta link: the read starts over as a full pass.
    const expired = fixture('change-tracking-expired-token');
    const initial = fixture('change-tracking-initial');
    nock(ORG).get(expired.request.path).reply(expired.response.status, responseText(expired, ORG), responseHeaders(expired));
    nock(ORG)
      .get((uri) => uri.startsWith('/api/data/v9.0/accounts?') && !uri.includes('deltatoken'))
      .reply(initial.response.status, responseText(initial, ORG), responseHeaders(initial));
    const cursor = 'delta:accounts?$select=name,accountnumber,telephone1,fax&$deltatoken=919042%2108%2f22%2f2017%2008%3a10%3a44';
    const pages = await collect(connect({ entitySet: 'accounts', apiVersion: 'v9.0' }).readChanges({ cursor, fields: ['name', 'telephone1', 'fax'] }));
    expect(pages.map((p) => p.fullResync)).toEqual([true]);
    expect(pages[0]?.records.map((r) => r.fields.name)).toEqual(['Monte Orton']);
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

  const webApi: Ctx['webApi'] = () =>
    new WebApiClient(`${ORG}/api/data/v9.2`, createTokenSource({ tenantId: sim.tenantId, clientId: sim.clientId, clientSecret: sim.clientSecret, authority: sim.authority }, ORG), { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1, backoffFactor: 1, jitter: 0 }, silentLogger, 5000);

  it.each(Object.keys(replays))('replays %s through the connector', async (name) => {
    await (replays[name] as (ctx: Ctx) => Promise<void>)({ connect, webApi });
  });

  /** Status, the headers that matter and the documented body's fields, against the simulator's answer. */
  const HEADERS = ['content-type', 'odata-version', 'odata-entityid', 'preference-applied', 'retry-after'];
  const allowed = loadAllowList('dynamics');

  async function simulatorAnswer(f: VendorFixture, preparedPath?: string): Promise<{ status: number; headers: Record<string, string>; text: string }> {
    const token = await axios.post<{ access_token: string }>(sim.tokenUrl, new URLSearchParams({ grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret, scope: `${sim.url}/.default` }).toString(), { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    // The examples use several Web API versions; the simulator serves v9.2, whose answers have the same shape.
    const path = preparedPath ?? f.request.path.replace(/^\/api\/data\/v9\.\d\//, '/api/data/v9.2/');
    let body = f.request.json !== undefined ? JSON.stringify(f.request.json) : f.request.body;
    if (body !== undefined) body = body.replace(/\/api\/data\/v9\.\d\//g, '/api/data/v9.2/').replace(/\[Organization (URI|Uri)\]/g, sim.url);
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
  /** A delta link the simulated organisation issued for its accounts, relative to the organisation. */
  async function accountsDeltaLink(): Promise<string> {
    const token = await axios.post<{ access_token: string }>(sim.tokenUrl, new URLSearchParams({ grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret, scope: `${sim.url}/.default` }).toString(), { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    const res = await axios.get<{ '@odata.deltaLink': string }>(`${sim.url}/api/data/v9.2/accounts?$select=name,accountnumber,telephone1,fax`, { headers: { Authorization: `Bearer ${token.data.access_token}`, Prefer: 'odata.track-changes' } });
    return res.data['@odata.deltaLink'].replace(sim.url, '');
  }

  /** The state each example assumes; a path returned replaces the documented one (a token only the simulator can issue). */
  const prepare: Record<string, () => void | Promise<string>> = {
    'change-tracking-delta': async () => {
      // The example's changes since the link: one account updated, one deleted.
      sim.seed([{ accountid: '60c4e274-0d87-e711-80e5-00155db19e6d', name: 'Monte', telephone1: '555000', fax: '10101' }], 'accounts');
      sim.seed([{ accountid: '2e451703-c686-e711-80e5-00155db19e6d', name: 'Gone' }], 'accounts');
      const link = await accountsDeltaLink();
      sim.update('60c4e274-0d87-e711-80e5-00155db19e6d', { name: 'Monte Orton' }, 'accounts');
      sim.remove('2e451703-c686-e711-80e5-00155db19e6d', 'accounts');
      return link;
    },
    'change-tracking-expired-token': async () => {
      const link = await accountsDeltaLink();
      sim.expireDeltaTokens();
      return link;
    },
    'change-tracking-initial': () => void sim.seed([{ accountid: '60c4e274-0d87-e711-80e5-00155db19e6d', name: 'Monte Orton', telephone1: '555000', fax: '10101' }], 'accounts'),
    'update-if-match-412': () => void sim.seed([{ accountid: DOC_ROW, name: 'Sample Account' }], 'accounts'),
    // The account the example's tasks are regarding.
    'batch-changeset': () => void sim.seed([{ accountid: DOC_ROW, name: 'Sample Account' }], 'accounts'),
    'batch-continue-on-error': () => void sim.seed([{ accountid: DOC_ROW, name: 'Sample Account' }], 'accounts'),
    'upsert-prevent-create-404': () => void sim.remove(DOC_ROW, 'accounts'),
    'win-opportunity': () => void sim.seed([opportunity(1, { opportunityid: 'b3828ac8-917a-e511-80d2-00155d2a68d2' })]),
    'lose-opportunity': () => void sim.seed([opportunity(1, { opportunityid: 'b3828ac8-917a-e511-80d2-00155d2a68d2' })]),
    // The organisation's service protection has just refused this caller for 30 seconds.
    'service-protection-429': () => sim.injectFault({ kind: 'rate_limit', times: 1, retryAfterSeconds: 30 }),
  };

  it.each([...fixtures.keys()])('the simulator answers %s as documented, or the difference is listed', async (name) => {
    const f = fixture(name);
    const preparedPath = (await prepare[name]?.()) ?? undefined;
    const doc = { status: f.response.status, headers: f.response.headers, ...(f.response.json !== undefined ? { json: f.response.json } : {}), ...(f.response.body !== undefined ? { body: f.response.body } : {}) };
    const diffs = compareAnswers(doc, await simulatorAnswer(f, preparedPath), HEADERS);
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

// nock patches Node's http module and fetch, which the later test files of this jest worker share:
// undone here, or their requests would still pass through this file's interceptor.
afterAll(() => nock.restore());
