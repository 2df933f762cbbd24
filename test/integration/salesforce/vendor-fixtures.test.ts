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
import { encodeCursor } from '../../../connectors/salesforce/cursor';
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
function bulkJob(results: VendorFixture): void {
  // The CSV is typed with the object's describe; two fields suffice for these rows.
  const field = (name: string, type: string): Record<string, unknown> => ({ name, label: name, type, updateable: name !== 'Id', createable: name !== 'Id', nillable: name !== 'Id', length: 0, picklistValues: [] });
  nock(ORG).get('/services/data/v62.0/sobjects/Opportunity/describe').reply(200, { name: 'Opportunity', fields: [field('Id', 'id'), field('Name', 'string')] });
  nock(ORG).post('/services/data/v62.0/jobs/query').reply(...reply(fixture('bulk2-query-create')));
  nock(ORG).get(`/services/data/v62.0/jobs/query/${JOB}`).reply(200, { id: JOB, state: 'JobComplete' });
  // The connector reads results a chunk (maxRecords, its bulkPageSize) at a time.
  nock(ORG).get(`/services/data/v62.0/jobs/query/${JOB}/results`).query({ maxRecords: '10000' }).reply(...reply(results));
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
};

describe('Salesforce documentation examples', () => {
  let sim: SalesforceSimulator;
  beforeAll(async () => {
    sim = await startSim();
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

  it.each(Object.keys(replays))('replays %s through the connector', async (name) => {
    await (replays[name] as () => Promise<void>)();
  });

  const HEADERS = ['content-type', 'sforce-locator'];
  const allowed = loadAllowList('salesforce');
  const prepare: Record<string, () => void> = {
    query: () => void sim.seed([{ Name: 'Test 1' }, { Name: 'Test 2' }], 'Account'),
  };

  async function simulatorAnswer(f: VendorFixture): Promise<{ status: number; headers: Record<string, string>; text: string }> {
    const token = await axios.post<{ access_token: string }>(`${sim.url}/services/oauth2/token`, new URLSearchParams({ grant_type: 'client_credentials', client_id: TEST_CLIENT_ID, client_secret: 'test-secret' }).toString(), {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    const res = await axios.request<string>({
      method: f.request.method,
      url: `${sim.url}${f.request.path}`,
      headers: { ...f.request.headers, Authorization: `Bearer ${token.data.access_token}` },
      data: f.request.json !== undefined ? JSON.stringify(f.request.json) : f.request.body,
      responseType: 'text',
      transformResponse: [(d: unknown) => d],
      validateStatus: () => true,
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
    return { status: res.status, headers, text: res.data };
  }

  it.each([...fixtures.keys()])('the simulator answers %s as documented, or the difference is listed', async (name) => {
    const f = fixture(name);
    prepare[name]?.();
    const doc = { status: f.response.status, headers: f.response.headers, ...(f.response.json !== undefined ? { json: f.response.json } : {}), ...(f.response.body !== undefined ? { body: f.response.body } : {}) };
    const diffs = compareAnswers(doc, await simulatorAnswer(f), HEADERS);
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
