/**
 * The REST API and Bulk API 2.0 examples of Salesforce's developer guides
 * (test/fixtures/salesforce/), replayed with nock through the connector, and sent to the simulator
 * with its answers compared to the documented ones; every difference is either listed with its
 * reason in test/fixtures/salesforce/simulator-differences.json or fails.
 */
import axios from 'axios';
import nock from 'nock';
import { createSalesforceConnector, type SalesforceConnectorOptions } from '../../../connectors/salesforce';
import type { SalesforceSimulator } from '../../../connectors/salesforce/simulator';
import { bulkQueryPages } from '../../../connectors/salesforce/bulk-query';
import { SalesforceClient } from '../../../connectors/salesforce/client';
import { encodeCursor } from '../../../connectors/salesforce/cursor';
import type { CrmRecord } from '../../../src/ports/connector';
import { silentLogger } from '../../../src/log';
import type { ChangePage, CrmConnector, WriteOperation, WriteResult } from '../../../src/ports/connector';
import { compareAnswers, loadAllowList, loadFixtures, responseHeaders, responseText, type VendorFixture } from '../../helpers/vendor-fixtures';
import { startSim, TEST_CLIENT_ID } from './harness';

const ORG = 'https://acme.my.salesforce.com';
const fixtures = loadFixtures('salesforce');
const fixture = (name: string): VendorFixture => {
  const f = fixtures.get(name);
  if (!f) throw new Error(`no fixture ${name}`);
  return f;
};
const reply = (f: VendorFixture): [number, string, Record<string, string>] => [f.response.status, responseText(f, ORG), responseHeaders(f)];

function connect(overrides: Partial<SalesforceConnectorOptions> = {}): CrmConnector {
  // The token exchange is not under test here: a minimal token answer lets the connector in.
  nock(ORG).post('/services/oauth2/token').reply(200, { access_token: '00Dx0000000TEST!token', instance_url: ORG, id: `${ORG}/id/00Dx0000000TEST/005x0000000TEST` });
  return createSalesforceConnector(
    { name: 'docs', loginUrl: ORG, auth: { kind: 'client_credentials', clientId: 'docs', clientSecret: 'docs' }, filter: { all: [] }, retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1, backoffFactor: 1, jitter: 0 }, pageSize: 200, ...overrides },
    { logger: silentLogger },
  );
}

async function collect(iter: AsyncIterable<ChangePage>): Promise<ChangePage[]> {
  const out: ChangePage[] = [];
  for await (const page of iter) out.push(page);
  return out;
}

const JOB = '7986gEXAMPLE4X2OPT';
/** The job reaches JobComplete (the poll answer carries the two fields jsforce reads). */
function bulkJob(results: VendorFixture, maxRecords = '10000'): void {
  // The CSV is typed with the object's describe; two fields suffice for these rows.
  const field = (name: string, type: string): Record<string, unknown> => ({ name, label: name, type, updateable: name !== 'Id', createable: name !== 'Id', nillable: name !== 'Id', length: 0, picklistValues: [] });
  nock(ORG).get('/services/data/v62.0/sobjects/Opportunity/describe').reply(200, { name: 'Opportunity', fields: [field('Id', 'id'), field('Name', 'string')] });
  nock(ORG).post('/services/data/v62.0/jobs/query').reply(...reply(fixture('bulk2-query-create')));
  nock(ORG).get(`/services/data/v62.0/jobs/query/${JOB}`).reply(200, { id: JOB, state: 'JobComplete' });
  // The connector reads results a chunk (maxRecords, its bulkPageSize) at a time.
  nock(ORG).get(`/services/data/v62.0/jobs/query/${JOB}/results`).query({ maxRecords }).reply(...reply(results));
}

const NO_RETRY = { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1, backoffFactor: 1, jitter: 0 };

/** The connector's client alone, for resources the sync reaches only through jsforce (getUpdated, limits). */
function client(): SalesforceClient {
  nock(ORG).post('/services/oauth2/token').reply(200, { access_token: '00Dx0000000TEST!token', instance_url: ORG, id: `${ORG}/id/00Dx0000000TEST/005x0000000TEST` });
  return new SalesforceClient({ loginUrl: ORG, apiVersion: '62.0', auth: { kind: 'client_credentials', clientId: 'docs', clientSecret: 'docs' }, retry: NO_RETRY, logger: silentLogger, timeoutMs: 5000 });
}

/** A documented job-information answer, for the job the create answer named. */
const jobState = (name: string): Record<string, unknown> => ({ ...(fixture(name).response.json as Record<string, unknown>), id: JOB });

/** The job is created, then polled through each of `states` (documented answers) in turn. */
function bulkJobThrough(states: string[]): void {
  nock(ORG).post('/services/data/v62.0/jobs/query').reply(...reply(fixture('bulk2-query-create')));
  for (const state of states) nock(ORG).get(`/services/data/v62.0/jobs/query/${JOB}`).reply(200, jobState(state));
}

/** The job is deleted once its read failed (in the background: waited for here, not timed). */
function expectJobDeleted(): () => Promise<void> {
  const scope = nock(ORG).delete(`/services/data/v62.0/jobs/query/${JOB}`).reply(204);
  return async () => {
    for (let i = 0; i < 1000 && !scope.isDone(); i += 1) await new Promise((r) => setImmediate(r));
    expect(scope.isDone()).toBe(true);
  };
}

async function bulkRead(): Promise<CrmRecord[]> {
  const out: CrmRecord[] = [];
  for await (const page of bulkQueryPages({ client: client(), soql: 'SELECT Id, Name FROM Opportunity', fields: ['Name'], types: new Map([['name', 'string']]), pageSize: 10_000, pollIntervalMs: 1 })) out.push(...page);
  return out;
}

const failedWrite = (r: WriteResult | undefined): Extract<WriteResult, { ok: false }> => {
  if (!r || r.ok) throw new Error(`expected a failed write, got ${JSON.stringify(r)}`);
  return r;
};

/** Answers the connector's collection upsert on the external id with `f`, keeping the body sent. */
function upsertReply(f: VendorFixture): () => { allOrNone?: unknown; records?: Array<Record<string, unknown>> } {
  let sent: { allOrNone?: unknown; records?: Array<Record<string, unknown>> } = {};
  nock(ORG)
    .patch('/services/data/v62.0/composite/sobjects/Opportunity/CoSell_Id__c', (body: typeof sent) => {
      sent = body;
      return true;
    })
    .reply(...reply(f));
  return () => sent;
}

const createOps = (n: number): WriteOperation[] =>
  Array.from({ length: n }, (_, i) => ({ kind: 'create', externalKey: `6a1f2c3d-0000-4000-8000-00000000000${i + 1}`, fields: { Name: `Doc ${i + 1}`, StageName: 'Prospecting', CloseDate: '2026-12-31' } }));

const replays: Record<string, () => Promise<void>> = {
  'collections-create-errors': async () => {
    // The connector creates by upsert on the external id: the same per-record SaveResults.
    const sent = upsertReply(fixture('collections-create-errors'));
    const results = await connect().writeBatch(createOps(2));
    expect(sent().allOrNone).toBe(false);
    expect(sent().records?.map((r) => r['CoSell_Id__c'])).toEqual(['6a1f2c3d-0000-4000-8000-000000000001', '6a1f2c3d-0000-4000-8000-000000000002']);
    const first = failedWrite(results[0]);
    expect(first.error).toMatchObject({ code: 'conflict', crmCode: 'DUPLICATES_DETECTED', message: 'Use one of these records?' });
    expect(results[1]).toEqual({ ok: true, id: '003RM0000068xVCYAY', created: false, version: null });
  },
  'collections-upsert': async () => {
    upsertReply(fixture('collections-upsert'));
    const results = await connect().writeBatch(createOps(2));
    expect(results).toEqual([
      { ok: true, id: '001xx0000004GxDAAU', created: true, version: null },
      { ok: true, id: '001xx0000004GxEAAU', created: false, version: null },
    ]);
  },
  'collections-upsert-all-or-none': async () => {
    upsertReply(fixture('collections-upsert-all-or-none'));
    const results = await connect().writeBatch(createOps(2));
    // The healthy record was only rolled back: worth another attempt on its own; the other is invalid.
    expect(failedWrite(results[0]).error).toMatchObject({ code: 'transient', retryable: true, crmCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' });
    expect(failedWrite(results[1]).error).toMatchObject({ code: 'validation', retryable: false, crmCode: 'MALFORMED_ID', fields: ['Id'] });
  },
  'collections-update-errors': async () => {
    let sent: { allOrNone?: unknown; records?: Array<Record<string, unknown>> } = {};
    nock(ORG)
      .patch('/services/data/v62.0/composite/sobjects', (body: typeof sent) => {
        sent = body;
        return true;
      })
      .reply(...reply(fixture('collections-update-errors')));
    const ids = ['001RM000003oCprYAE', '001xx000003DGb2999'];
    const results = await connect().writeBatch(ids.map((id) => ({ kind: 'update', id, expectedVersion: null, fields: { Name: 'Renamed' } })));
    expect(sent.records?.map((r) => r['id'])).toEqual(ids);
    expect(results[0]).toEqual({ ok: true, id: ids[0], created: false, version: null });
    const second = failedWrite(results[1]);
    expect(second).toMatchObject({ id: ids[1], stale: false });
    expect(second.error).toMatchObject({ code: 'validation', crmCode: 'MALFORMED_ID', fields: ['Id'] });
    expect(second.error.message).toContain('id value of incorrect type');
  },
  query: async () => {
    let soql = '';
    nock(ORG)
      .get('/services/data/v62.0/query')
      .query((q) => {
        soql = String(q['q']);
        return true;
      })
      .reply(...reply(fixture('query')));
    const rows = await connect().readRecords(['001D000000IRFmaIAH', '001D000000IomazIAB'], ['Name']);
    expect(soql).toMatch(/^SELECT Name, Id, SystemModstamp FROM Opportunity WHERE Id IN \('001D000000IRFmaIAH', ?'001D000000IomazIAB'\)$/);
    expect(rows.map((r) => [r.id, r.fields.Name])).toEqual([
      ['001D000000IRFmaIAH', 'Test 1'],
      ['001D000000IomazIAB', 'Test 2'],
    ]);
  },
  'get-deleted': async () => {
    let window: Record<string, string> = {};
    nock(ORG)
      .get(/^\/services\/data\/v62\.0\/sobjects\/Opportunity\/deleted\/?$/)
      .query((q) => {
        window = q as Record<string, string>;
        return true;
      })
      .reply(...reply(fixture('get-deleted')));
    nock(ORG).get('/services/data/v62.0/query').query(true).reply(200, { totalSize: 0, done: true, records: [] });
    const cursor = encodeCursor({ v: 1, stamp: '2013-05-08T00:00:00.000+0000', id: '006D000000IRFmaIAH', deletedSince: '2013-05-05T00:00:00.000+0000', phase: 'incremental' });
    const pages = await collect(connect().readChanges({ cursor, fields: ['Name'] }));
    expect(window['start']).toMatch(/^2013-05-05T00:00:00/);
    expect(pages.flatMap((p) => p.deletedIds)).toEqual(['a00D0000008pQRAIA2']);
    const end = JSON.parse(pages[pages.length - 1]?.cursor ?? '{}') as { deletedSince?: string };
    expect(Date.parse(end.deletedSince ?? '')).toBe(Date.parse('2013-05-08T21:20:00.000Z'));
  },
  'bulk2-query-create': async () => {
    nock(ORG).get('/services/data/v62.0/query').query(true).reply(...reply(fixture('query')));
    bulkJob(fixture('bulk2-query-results'));
    const pages = await collect(connect({ bulkThreshold: 10 }).readChanges({ cursor: null, fields: ['Name'] }));
    expect(pages.flatMap((p) => p.records.map((r) => [r.id, r.fields.Name]))).toEqual([
      ['005R0000000UyrWIAS', 'Jane Dunn'],
      ['005R0000000GiwjIAC', 'George Wright'],
      ['005R0000000GiwoIAC', 'Pat Wilson'],
    ]);
  },
  'bulk2-query-results': async () => {
    // Covered with bulk2-query-create: the same job's CSV results, Sforce-Locator "null" ending the read.
    await replays['bulk2-query-create']?.();
  },
  'bulk2-results-not-complete': async () => {
    nock(ORG).get('/services/data/v62.0/query').query(true).reply(...reply(fixture('query')));
    bulkJob(fixture('bulk2-results-not-complete'));
    nock(ORG).delete(`/services/data/v62.0/jobs/query/${JOB}`).optionally().reply(204);
    const error = await collect(connect({ bulkThreshold: 10 }).readChanges({ cursor: null, fields: ['Name'] })).then(
      () => null,
      (e: unknown) => e as { code?: string; crmCode?: string; retryable?: boolean },
    );
    expect(error).toMatchObject({ code: 'transient', crmCode: 'JOB_NOT_COMPLETE', retryable: true });
  },
  'query-more-first-batch': async () => {
    // 200 ids a query, yet an org may answer in a smaller batch: the rest follows nextRecordsUrl.
    nock(ORG).get('/services/data/v62.0/query').query(true).reply(...reply(fixture('query-more-first-batch')));
    nock(ORG).get('/services/data/v62.0/query/01gRO0000016PIAYA2-500').reply(...reply(fixture('query-more-last-batch')));
    const rows = await connect().readRecords(['003RO0000035WQgYAM'], ['Name']);
    expect(rows.map((r) => [r.id, r.fields.Name])).toEqual([['003RO0000035WQgYAM', 'John Smith']]);
  },
  'query-more-last-batch': async () => {
    await replays['query-more-first-batch']?.();
  },
  'get-updated': async () => {
    let window: Record<string, string> = {};
    nock(ORG)
      .get(/^\/services\/data\/v62\.0\/sobjects\/Opportunity\/updated\/?$/)
      .query((q) => {
        window = q as Record<string, string>;
        return true;
      })
      .reply(...reply(fixture('get-updated')));
    const updated = await client().call('getUpdated', (conn) => conn.sobject('Opportunity').updated('2013-05-06T00:00:00Z', '2013-05-10T00:00:00Z'));
    expect(Date.parse(window['start'] ?? '')).toBe(Date.parse('2013-05-06T00:00:00Z'));
    expect(updated).toEqual({ ids: ['a00D0000008pQR5IAM', 'a00D0000008pQRGIA2', 'a00D0000008pQRFIA2'], latestDateCovered: '2013-05-08T21:20:00.000+0000' });
  },
  limits: async () => {
    nock(ORG).get(/^\/services\/data\/v62\.0\/limits\/?$/).reply(...reply(fixture('limits')));
    const limits = await client().call('limits', (conn) => conn.limits());
    expect(limits.DailyApiRequests).toEqual({ Max: 5000, Remaining: 4937 });
  },
  'limit-info-header': async () => {
    // Every REST answer carries the org's daily usage; the connector reports it as its quota.
    const f = fixture('limit-info-header');
    nock(ORG).get('/services/data/v62.0/query').query(true).reply(200, responseText(fixture('query'), ORG), { ...responseHeaders(f) });
    const connector = connect();
    await connector.readRecords(['001D000000IRFmaIAH'], ['Name']);
    expect(connector.apiUsage?.()).toMatchObject({ used: 18, limit: 5000 });
  },
  'error-malformed-id': async () => {
    nock(ORG).get('/services/data/v62.0/query').query(true).reply(...reply(fixture('error-malformed-id')));
    const error = await connect().readRecords(['001900K0001pPuOAAU'], ['Name']).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'validation', retryable: false, crmCode: 'MALFORMED_ID', fields: ['Id'] });
    expect((error as Error).message).toContain('id value of incorrect type');
  },
  'error-session-expired': async () => {
    // The session ended: one new token, the same query again, and no more.
    const connector = connect();
    nock(ORG).get('/services/data/v62.0/query').query(true).reply(...reply(fixture('error-session-expired')));
    nock(ORG).post('/services/oauth2/token').reply(200, { access_token: '00Dx0000000TEST!fresh', instance_url: ORG, id: `${ORG}/id/00Dx0000000TEST/005x0000000TEST` });
    let bearer = '';
    nock(ORG)
      .get('/services/data/v62.0/query')
      .query(true)
      .reply(function answer() {
        bearer = String(this.req.headers['authorization']);
        return reply(fixture('query'));
      });
    const rows = await connector.readRecords(['001D000000IRFmaIAH', '001D000000IomazIAB'], ['Name']);
    expect(bearer).toBe('Bearer 00Dx0000000TEST!fresh');
    expect(rows.map((r) => r.fields.Name)).toEqual(['Test 1', 'Test 2']);
  },
  'describe-opportunity': async () => {
    nock(ORG).get('/services/data/v62.0/sobjects/Opportunity/describe').reply(...reply(fixture('describe-opportunity')));
    const meta = await connect().describe();
    const field = (name: string): unknown => meta.fields.find((f) => f.name === name);
    expect(meta.name).toBe('Opportunity');
    expect(field('Id')).toMatchObject({ type: 'id', createable: false, updateable: false, nillable: false });
    expect(field('Amount')).toMatchObject({ type: 'currency', scale: 2, nillable: true });
    expect(field('Probability')).toMatchObject({ type: 'double', scale: 0 });
    expect(field('StageName')).toMatchObject({ type: 'picklist', nillable: false, picklistValues: ['Prospecting', 'Qualification', 'Closed Won', 'Closed Lost'] });
    expect(field('CloseDate')).toMatchObject({ type: 'date' });
    expect(field('CampaignId')).toMatchObject({ type: 'reference', referenceTo: ['Campaign'] });
    expect(field('SystemModstamp')).toMatchObject({ type: 'datetime', updateable: false });
  },
  'bulk2-job-in-progress': async () => {
    // Polled until JobComplete, then the results are read.
    bulkJobThrough(['bulk2-job-in-progress', 'bulk2-job-complete']);
    nock(ORG).get(`/services/data/v62.0/jobs/query/${JOB}/results`).query({ maxRecords: '10000' }).reply(...reply(fixture('bulk2-query-results')));
    expect((await bulkRead()).map((r) => r.fields.Name)).toEqual(['Jane Dunn', 'George Wright', 'Pat Wilson']);
  },
  'bulk2-job-complete': async () => {
    await replays['bulk2-job-in-progress']?.();
  },
  'bulk2-job-failed': async () => {
    // The failure is read once more to name the job and its state; the job is then deleted.
    bulkJobThrough(['bulk2-job-failed', 'bulk2-job-failed']);
    const deleted = expectJobDeleted();
    const error = await bulkRead().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'transient', retryable: true, crmCode: 'JOB_FAILED' });
    expect((error as Error).message).toBe(`Bulk API 2.0 query job ${JOB} ended in state Failed`);
    await deleted();
  },
  'bulk2-job-aborted': async () => {
    bulkJobThrough(['bulk2-job-aborted', 'bulk2-job-aborted']);
    const deleted = expectJobDeleted();
    const error = await bulkRead().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'unknown', retryable: false, crmCode: 'JOB_ABORTED' });
    expect((error as Error).message).toBe(`Bulk API 2.0 query job ${JOB} ended in state Aborted`);
    await deleted();
  },
  'bulk2-results-first-set': async () => {
    // Two sets of results, the second named by the first's Sforce-Locator, each a page of its own.
    nock(ORG).get('/services/data/v62.0/query').query(true).reply(...reply(fixture('query')));
    bulkJob(fixture('bulk2-results-first-set'), '2');
    nock(ORG).get(`/services/data/v62.0/jobs/query/${JOB}/results`).query({ maxRecords: '2', locator: 'MTAwMDA' }).reply(...reply(fixture('bulk2-results-last-set')));
    const pages = await collect(connect({ bulkThreshold: 10, bulkPageSize: 2 }).readChanges({ cursor: null, fields: ['Name'] }));
    expect(pages.filter((p) => p.records.length > 0).map((p) => p.records.map((r) => r.fields.Name))).toEqual([['Jane Dunn', 'George Wright'], ['Pat Wilson']]);
  },
  'bulk2-results-last-set': async () => {
    await replays['bulk2-results-first-set']?.();
  },
  'error-request-limit': async () => {
    // The org's daily allocation is spent: a quota error, with no Retry-After to honour.
    nock(ORG).get('/services/data/v62.0/query').query(true).reply(...reply(fixture('error-request-limit')));
    const error = await connect().readRecords(['001D000000IRFmaIAH'], ['Name']).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'rate_limited', retryable: true, crmCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' });
    expect((error as { retryAfterMs?: number }).retryAfterMs).toBeUndefined();
  },
};

describe('Salesforce documentation examples', () => {
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect((host) => host.startsWith('127.0.0.1'));
  });
  afterAll(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending).toEqual([]);
  });

  it('every fixture has a replay and every replay a fixture', () => {
    expect([...fixtures.keys()].sort()).toEqual(Object.keys(replays).sort());
  });

  it.each(Object.keys(replays))('replays %s through the connector', async (name) => {
    await (replays[name] as () => Promise<void>)();
  });
});

describe('the Salesforce simulator against the documentation examples', () => {
  // Each example meets an org of its own, in the state the example assumes.
  let sim: SalesforceSimulator;
  let token = '';
  beforeEach(async () => {
    sim = await startSim();
    const res = await axios.post<{ access_token: string }>(`${sim.url}/services/oauth2/token`, new URLSearchParams({ grant_type: 'client_credentials', client_id: TEST_CLIENT_ID, client_secret: 'test-secret' }).toString(), {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    token = res.data.access_token;
  });
  afterEach(async () => sim.close());

  const HEADERS = ['content-type', 'sforce-locator', 'sforce-numberofrecords', 'sforce-limit-info'];
  const allowed = loadAllowList('salesforce');

  async function send(req: { method: string; path: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, string>; text: string }> {
    const res = await axios.request<string>({
      method: req.method,
      url: `${sim.url}${req.path}`,
      headers: { Authorization: `Bearer ${token}`, ...req.headers },
      data: req.body,
      responseType: 'text',
      transformResponse: [(d: unknown) => d],
      validateStatus: () => true,
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
    return { status: res.status, headers, text: res.data };
  }

  const opportunities = (n: number): string[] => sim.seed(Array.from({ length: n }, (_, i) => ({ Name: `Doc ${i + 1}`, StageName: 'Prospecting', CloseDate: '2026-12-31' })));

  /** A query job of the simulated org over `n` opportunities, polled `polls` times; its URL. */
  async function job(n: number, polls: number): Promise<string> {
    opportunities(n);
    const created = await send({ method: 'POST', path: '/services/data/v62.0/jobs/query', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ operation: 'query', query: 'SELECT Id, Name FROM Opportunity' }) });
    const url = `/services/data/v62.0/jobs/query/${(JSON.parse(created.text) as { id: string }).id}`;
    for (let i = 0; i < polls; i += 1) await send({ method: 'GET', path: url });
    return url;
  }

  /** The state each example assumes; a path returned replaces the documented one (ids and locators are the org's own). */
  const prepare: Record<string, () => Promise<string | void> | string | void> = {
    query: () => void sim.seed([{ Name: 'Test 1' }, { Name: 'Test 2' }], 'Account'),
    'query-more-first-batch': () => void opportunities(501),
    'query-more-last-batch': async () => {
      opportunities(501);
      const first = await send({ method: 'GET', path: '/services/data/v62.0/query?q=SELECT+Id,+Name+FROM+Opportunity', headers: { 'Sforce-Query-Options': 'batchSize=500' } });
      return (JSON.parse(first.text) as { nextRecordsUrl: string }).nextRecordsUrl;
    },
    'get-updated': () => {
      // The example's window, seen from an org whose clock is within it (30 days are kept).
      sim.setClock({ now: '2013-05-07T10:00:00Z' });
      opportunities(3);
      sim.setClock({ now: '2013-05-10T12:00:00Z' });
    },
    'get-deleted': () => {
      // The example's delete, made by an org whose clock then stands within the window (15 days are kept).
      sim.setClock({ now: '2013-05-07T22:07:19Z' });
      sim.remove(opportunities(1)[0] ?? '');
      sim.setClock({ now: '2013-05-10T12:00:00Z' });
    },
    // Other clients of the org have spent the day's allocation.
    'error-request-limit': () => sim.spendApiRequests(100_000),
    'limit-info-header': () => `/services/data/v62.0/sobjects/Opportunity/${opportunities(1)[0] ?? ''}`,
    'bulk2-query-results': async () => `${await job(3, 2)}/results`,
    'bulk2-results-not-complete': async () => `${await job(3, 0)}/results`,
    'bulk2-results-first-set': async () => `${await job(3, 2)}/results?maxRecords=2`,
    'bulk2-results-last-set': async () => {
      const url = await job(3, 2);
      const first = await send({ method: 'GET', path: `${url}/results?maxRecords=2` });
      return `${url}/results?locator=${first.headers['sforce-locator'] ?? ''}&maxRecords=2`;
    },
    'bulk2-job-in-progress': () => job(3, 0),
    'bulk2-job-complete': () => job(3, 1),
    'bulk2-job-failed': () => job(3, 1),
    'bulk2-job-aborted': async () => {
      const url = await job(3, 0);
      await send({ method: 'PATCH', path: url, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ state: 'Aborted' }) });
      return url;
    },
  };

  it.each([...fixtures.keys()])('the simulator answers %s as documented, or the difference is listed', async (name) => {
    const f = fixture(name);
    const path = (await prepare[name]?.()) ?? f.request.path;
    const answer = await send({ method: f.request.method, path, headers: f.request.headers, ...(f.request.json !== undefined ? { body: JSON.stringify(f.request.json) } : f.request.body !== undefined ? { body: f.request.body } : {}) });
    const doc = { status: f.response.status, headers: f.response.headers, ...(f.response.json !== undefined ? { json: f.response.json } : {}), ...(f.response.body !== undefined ? { body: f.response.body } : {}) };
    const diffs = compareAnswers(doc, answer, HEADERS);
    if (process.env.COSELL_SHOW_DIFFERENCES) console.log(name, diffs);
    const listed = allowed[name] ?? {};
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
