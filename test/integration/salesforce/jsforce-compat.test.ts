/** jsforce itself, unchanged, against the simulator: the simulator speaks the protocol jsforce expects. */
import { generateKeyPairSync, sign } from 'node:crypto';
import jsforce, { type Connection } from 'jsforce';
import { startSalesforceSimulator, type SalesforceSimulator } from '../../../connectors/salesforce/simulator';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });

function assertion(aud: string): string {
  const enc = (v: object): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${enc({ alg: 'RS256' })}.${enc({ iss: 'jsforce-client', sub: 'user@example.test', aud, exp: Math.floor(Date.now() / 1000) + 120 })}`;
  return `${head}.${sign('RSA-SHA256', Buffer.from(head), keys.privateKey).toString('base64url')}`;
}

const opp = (i: number): Record<string, unknown> => ({ Name: `J ${i}`, StageName: 'Qualification', CloseDate: '2026-06-30', CoSell_Sync__c: true });

describe('jsforce against the Salesforce simulator', () => {
  let sim: SalesforceSimulator;
  let conn: Connection;
  beforeAll(async () => {
    sim = await startSalesforceSimulator({ auth: { clientId: 'jsforce-client', publicKeyPem: keys.publicKey } });
    conn = new jsforce.Connection({ loginUrl: sim.url, version: '62.0' });
    const info = await conn.authorize({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: assertion(sim.url) });
    expect(info.organizationId).toBe(sim.orgId);
    expect(info.id).toBe(sim.userId);
  });
  afterAll(async () => {
    await sim.close();
  });

  it('creates, updates and upserts through sObject Collections', async () => {
    const created = await conn.create('Opportunity', [opp(1), opp(2), { Name: 'missing stage' }], { allOrNone: false });
    expect(created.map((r) => r.success)).toEqual([true, true, false]);
    const bad = created[2];
    expect(bad && !bad.success ? bad.errors[0] : null).toMatchObject({ statusCode: 'REQUIRED_FIELD_MISSING', fields: expect.arrayContaining(['StageName', 'CloseDate']) });
    const ids = created.flatMap((r) => (r.success ? [r.id] : []));
    const updated = await conn.update('Opportunity', ids.map((Id) => ({ Id, Amount: 42 })), { allOrNone: false });
    expect(updated.every((r) => r.success)).toBe(true);
    const up1 = await conn.upsert('Opportunity', [{ ...opp(3), CoSell_Id__c: 'ext-1' }, { ...opp(4), CoSell_Id__c: 'ext-2' }], 'CoSell_Id__c', { allOrNone: false });
    const up2 = await conn.upsert('Opportunity', [{ ...opp(5), CoSell_Id__c: 'ext-1' }], 'CoSell_Id__c', { allOrNone: false });
    expect(up1.map((r) => r.success && r.created)).toEqual([true, true]);
    expect(up2[0]).toMatchObject({ success: true, created: false, id: up1[0]?.id });
    const single = await conn.sobject('Opportunity').upsert({ ...opp(6), CoSell_Id__c: 'ext-3' }, 'CoSell_Id__c');
    expect(single).toMatchObject({ success: true });
    const again = await conn.sobject('Opportunity').upsert({ Name: 'J 6 renamed', CoSell_Id__c: 'ext-3' }, 'CoSell_Id__c');
    expect(again).toMatchObject({ success: true });
    expect(sim.all().filter((r) => r['CoSell_Id__c'] === 'ext-3')).toHaveLength(1);
    const fetched = await conn.sobject('Opportunity').retrieve(ids[0] ?? '');
    expect(fetched).toMatchObject({ Id: ids[0], Amount: 42, IsClosed: false, Probability: 10 });
  });

  it('queries with queryMore paging, parent paths, COUNT() and queryAll', async () => {
    const [acct = ''] = sim.seed([{ Name: 'Acme Ltd' }], 'Account');
    sim.seed(Array.from({ length: 450 }, (_, i) => ({ ...opp(i), AccountId: acct })));
    const headers = { 'Sforce-Query-Options': 'batchSize=200' };
    const first = await conn.query<{ Id: string; Account: { Name: string } | null }>("SELECT Id, Account.Name FROM Opportunity WHERE Account.Name = 'ACME LTD' ORDER BY Id", { autoFetch: false, headers });
    expect(first.totalSize).toBe(450);
    expect(first.records).toHaveLength(200);
    expect(first.records[0]?.Account?.Name).toBe('Acme Ltd');
    expect(first.nextRecordsUrl).toMatch(/\/services\/data\/v62\.0\/query\/01g\w+-200$/);
    const second = await conn.queryMore(first.nextRecordsUrl ?? '').execute({ autoFetch: false, headers });
    expect(second.records).toHaveLength(200);
    const all = await conn.query('SELECT Id FROM Opportunity WHERE Account.Name LIKE \'acme%\'', { autoFetch: true, maxFetch: 10_000, headers });
    expect(all.records).toHaveLength(450);
    const count = await conn.query('SELECT COUNT() FROM Opportunity WHERE AccountId != null');
    expect(count.totalSize).toBe(450);
    const victim = first.records[0]?.Id ?? '';
    await conn.sobject('Opportunity').destroy(victim);
    const withDeleted = await conn.query(`SELECT Id, IsDeleted FROM Opportunity WHERE Id = '${victim}'`, { scanAll: true });
    expect(withDeleted.records[0]).toMatchObject({ Id: victim, IsDeleted: true });
    // The org ignores the seconds of start and end: the delete is reported once its minute has passed.
    sim.setClock({ offsetMs: 60_000 });
    const deleted = await conn.sobject('Opportunity').deleted(new Date(Date.now() - 60_000), new Date(Date.now() + 61_000));
    expect(deleted.deletedRecords.map((d) => d.id)).toContain(victim);
  });

  it('describes, reports limits and the limit header, and runs Bulk API 2.0 queries', async () => {
    const d = await conn.describe('Opportunity');
    const stage = d.fields.find((f) => f.name === 'StageName');
    expect(stage?.type).toBe('picklist');
    expect(stage?.picklistValues?.map((p) => p.value)).toContain('Closed Won');
    expect(d.fields.find((f) => f.name === 'CoSell_Id__c')).toMatchObject({ externalId: true, unique: true });
    const limits = await conn.limits();
    expect(limits.DailyApiRequests?.Max).toBe(100_000);
    expect(conn.limitInfo.apiUsage?.used).toBeGreaterThan(0);
    const rows = await conn.bulk2.query("SELECT Id, Name FROM Opportunity WHERE Name LIKE 'J 1%'", { pollInterval: 10, pollTimeout: 5000 });
    const list = await rows.toArray();
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((r) => String(r['Name']).startsWith('J 1'))).toBe(true);
  });

  it('reports Salesforce errors as jsforce expects them', async () => {
    await expect(conn.query('SELECT Nope__c FROM Opportunity')).rejects.toMatchObject({ errorCode: 'INVALID_FIELD' });
    await expect(conn.query("SELECT Id FROM Opportunity WHERE SystemModstamp > '2024-01-01'")).rejects.toMatchObject({ errorCode: 'INVALID_FIELD' });
    await expect(conn.query('SELECT Id FROM Opportunity WHERE')).rejects.toMatchObject({ errorCode: 'MALFORMED_QUERY' });
    await expect(conn.sobject('Opportunity').update({ Id: '006000000000000AAA', Name: 'x' })).rejects.toMatchObject({ errorCode: 'NOT_FOUND' });
  });
});
