import { buildBatch, parseBatchResponse } from '../../../connectors/dynamics/batch';
import { buildMultipart, httpPart, splitMultipart, parseHttpMessage } from '../../../connectors/dynamics/multipart';
import { planWrite } from '../../../connectors/dynamics/write-plan';

const ctx = { entitySet: 'opportunities', alternateKey: 'cosell_cosellid', currencyId: (iso: string) => (iso === 'EUR' ? 'c-eur' : undefined) };
const ID = '6a1f2c3d-0000-4000-8000-000000000001';

describe('$batch framing', () => {
  it('puts single requests in parts and multi-request units in changesets', () => {
    const units = [
      planWrite({ kind: 'create', externalKey: "O'Key", fields: { name: 'A' } }, ctx).unit,
      planWrite({ kind: 'update', id: ID, fields: { statecode: 1 }, expectedVersion: '7' }, ctx).unit,
    ];
    const { contentType, body } = buildBatch('/api/data/v9.2/', units);
    const boundary = /boundary=(\S+)/.exec(contentType)?.[1] ?? '';
    const parts = splitMultipart(body, boundary);
    expect(parts).toHaveLength(2);
    const first = parseHttpMessage(parts[0]?.body ?? '');
    expect(first.startLine).toBe("PATCH /api/data/v9.2/opportunities(cosell_cosellid='O''Key')?$select=opportunityid,versionnumber HTTP/1.1");
    expect(JSON.parse(first.body)).toEqual({ name: 'A' });
    const changeset = /boundary=(\S+)/.exec(parts[1]?.headers['content-type'] ?? '')?.[1] ?? '';
    const inner = splitMultipart(parts[1]?.body ?? '', changeset).map((p) => parseHttpMessage(p.body));
    expect(inner.map((m) => m.startLine.split(' ').slice(0, 2).join(' '))).toEqual([
      `PATCH /api/data/v9.2/opportunities(${ID})`,
      'POST /api/data/v9.2/WinOpportunity',
    ]);
    expect(inner[0]?.headers['if-match']).toBe('W/"7"');
    expect(JSON.parse(inner[1]?.body ?? '')).toEqual({
      Status: 3,
      OpportunityClose: { subject: 'Won', 'opportunityid@odata.bind': `/opportunities(${ID})` },
    });
  });

  it('reads replies, nested changeset replies included', () => {
    const single = httpPart({ startLine: 'HTTP/1.1 204 No Content', headers: { 'OData-EntityId': 'x/opportunities(1)' }, body: '' });
    const changeset = buildMultipart('changesetresponse_1', [
      httpPart({ startLine: 'HTTP/1.1 204 No Content', headers: {}, body: '' }, '1'),
      httpPart({ startLine: 'HTTP/1.1 200 OK', headers: { ETag: 'W/"9"' }, body: '{"opportunityid":"a"}' }, '2'),
    ]);
    const failed = httpPart({ startLine: 'HTTP/1.1 400 Bad Request', headers: {}, body: '{"error":{"code":"0x80044331","message":"no"}}' });
    const text = buildMultipart('batchresponse_1', [single, { headers: { 'Content-Type': 'multipart/mixed; boundary=changesetresponse_1' }, body: changeset }, failed]);
    const replies = parseBatchResponse('multipart/mixed; boundary=batchresponse_1', text.replace(/\r\n/g, '\n'));
    expect(replies.map((r) => r.map((p) => p.status))).toEqual([[204], [204, 200], [400]]);
    expect(replies[0]?.[0]?.headers['odata-entityid']).toBe('x/opportunities(1)');
    expect(replies[1]?.[1]?.headers.etag).toBe('W/"9"');
    expect(JSON.parse(replies[2]?.[0]?.body ?? '')).toEqual({ error: { code: '0x80044331', message: 'no' } });
  });
});

describe('write plans', () => {
  it('updates with If-Match, or If-Match * without a version', () => {
    const withVersion = planWrite({ kind: 'update', id: ID, fields: { name: 'x' }, expectedVersion: '12' }, ctx);
    expect(withVersion.unit.requests.map((r) => r.headers['If-Match'])).toEqual(['W/"12"']);
    const without = planWrite({ kind: 'update', id: ID, fields: { name: 'x' }, expectedVersion: null }, ctx);
    expect(without.unit.requests[0]?.headers['If-Match']).toBe('*');
  });

  it('reopens before writing columns when statecode 0 is asked for', () => {
    const plan = planWrite({ kind: 'update', id: ID, fields: { statecode: 0, name: 'again' }, expectedVersion: '3' }, ctx);
    expect(plan.unit.requests.map((r) => [r.method, r.body, r.headers['If-Match']])).toEqual([
      ['PATCH', { statecode: 0 }, 'W/"3"'],
      ['PATCH', { name: 'again' }, '*'],
    ]);
    expect(plan.closes).toBe(false);
  });

  it('loses with the given status reason and binds ISO currencies', () => {
    const plan = planWrite({ kind: 'update', id: ID, fields: { statecode: 2, statuscode: 5, transactioncurrencyid: 'EUR' }, expectedVersion: '3' }, ctx);
    expect(plan.closes).toBe(true);
    expect(plan.unit.requests.map((r) => r.url)).toEqual([`opportunities(${ID})`, `opportunities(${ID})`, 'LoseOpportunity']);
    expect(plan.unit.requests[1]?.body).toEqual({ 'transactioncurrencyid@odata.bind': '/transactioncurrencies(c-eur)' });
    expect((plan.unit.requests[2]?.body as { Status: number }).Status).toBe(5);
  });
});

describe('status reasons', () => {
  it('creates an open row with its status reason, and reads a bare statuscode as its state', () => {
    const create = planWrite({ kind: 'create', externalKey: 'k', fields: { name: 'A', statecode: 0, statuscode: 2 } }, ctx);
    expect(create.unit.requests.map((r) => r.body)).toEqual([{ name: 'A', statuscode: 2 }]);
    const onHold = planWrite({ kind: 'update', id: ID, fields: { statuscode: 2 }, expectedVersion: '1' }, ctx);
    expect(onHold.unit.requests.map((r) => r.body)).toEqual([{ statecode: 0, statuscode: 2 }]);
    const outSold = planWrite({ kind: 'update', id: ID, fields: { statuscode: 5 }, expectedVersion: '1' }, ctx);
    expect(outSold.unit.requests.map((r) => r.url)).toEqual([`opportunities(${ID})`, 'LoseOpportunity']);
  });
});
