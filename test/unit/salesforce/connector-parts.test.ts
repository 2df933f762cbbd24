import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { buildJwtAssertion, defaultAudience } from '../../../connectors/salesforce/auth';
import { decodeCursor, encodeCursor } from '../../../connectors/salesforce/cursor';
import { buildChangesSoql, forgetRead } from '../../../connectors/salesforce/read-changes';
import { caseSafeSuffix, makeId } from '../../../connectors/salesforce/simulator/ids';

describe('JWT bearer assertion', () => {
  it('is RS256-signed with iss/sub/aud and a short expiry', () => {
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const jwt = buildJwtAssertion({ clientId: 'cid', username: 'u@x.test', audience: 'https://login.salesforce.com', privateKey: keys.privateKey, nowMs: 1_700_000_000_000 });
    const [h = '', c = '', s = ''] = jwt.split('.');
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toMatchObject({ alg: 'RS256' });
    expect(JSON.parse(Buffer.from(c, 'base64url').toString())).toEqual({ iss: 'cid', sub: 'u@x.test', aud: 'https://login.salesforce.com', exp: 1_700_000_180 });
    expect(verify('RSA-SHA256', Buffer.from(`${h}.${c}`), createPublicKey(keys.publicKey), Buffer.from(s, 'base64url'))).toBe(true);
  });
  it.each([
    ['https://login.salesforce.com', 'https://login.salesforce.com'],
    ['https://acme.my.salesforce.com', 'https://login.salesforce.com'],
    ['https://test.salesforce.com', 'https://test.salesforce.com'],
    ['https://acme--uat.sandbox.my.salesforce.com', 'https://test.salesforce.com'],
    ['http://127.0.0.1:4000/', 'http://127.0.0.1:4000'],
  ])('audience for %s is %s', (url, aud) => {
    expect(defaultAudience(url)).toBe(aud);
  });
});

describe('changes query', () => {
  const ctx = { object: 'Opportunity', filterSoql: 'CoSell_Sync__c = true', filterFields: ['CoSell_Sync__c'] };
  it('orders by (SystemModstamp, Id) and resumes after the exact position', () => {
    expect(buildChangesSoql(ctx, ['Name', 'id'], { stamp: '2026-03-01T12:00:00.000+0000', id: '0065g0000000001AAA' })).toBe(
      "SELECT Name, id, SystemModstamp FROM Opportunity WHERE (CoSell_Sync__c = true) AND (SystemModstamp > 2026-03-01T12:00:00Z OR (SystemModstamp = 2026-03-01T12:00:00Z AND Id > '0065g0000000001AAA')) ORDER BY SystemModstamp ASC, Id ASC",
    );
    expect(buildChangesSoql({ ...ctx, filterSoql: null }, ['Name'], { stamp: null, id: null })).toBe('SELECT Name, Id, SystemModstamp FROM Opportunity ORDER BY SystemModstamp ASC, Id ASC');
  });
});

describe('cursor', () => {
  it('round-trips and rejects garbage', () => {
    const c = { v: 1 as const, stamp: '2026-03-01T12:00:00.000+0000', id: '0065g0000000001AAA', deletedSince: '2026-03-01T11:00:00.000Z', phase: 'incremental' as const };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    expect(() => decodeCursor('nope')).toThrow(/not JSON/);
    expect(() => decodeCursor(JSON.stringify({ ...c, phase: 'other' }))).toThrow(/unexpected shape/);
    expect(() => decodeCursor(JSON.stringify({ ...c, stamp: "2026' OR Id != null" }))).toThrow(/unexpected shape/);
    expect(() => decodeCursor(JSON.stringify({ ...c, id: "x' OR Name != null" }))).toThrow(/id: expected a Salesforce id/);
    expect(() => decodeCursor(JSON.stringify({ ...c, deletedSince: '2026-13-01T00:00:00Z' }))).toThrow(/deletedSince/);
  });

  it('forgets records we wrote from its seen window, by 18- or 15-character id, and leaves a cursor without one as it is', () => {
    const at = '2026-03-01T12:00:00.000+0000';
    const c = { v: 1 as const, stamp: at, id: '0065g0000000002AAA', deletedSince: '2026-03-01T11:00:00.000Z', phase: 'incremental' as const, seen: { '0065g0000000001AAA': `${at}#k1`, '0065g0000000002AAA': `${at}#k2` } };
    expect(decodeCursor(forgetRead(encodeCursor(c), ['0065g0000000001AAA'])).seen).toEqual({ '0065g0000000002AAA': `${at}#k2` });
    expect(decodeCursor(forgetRead(encodeCursor({ ...c, seen: { '0065g0000000001': at } }), ['0065g0000000001AAA'])).seen).toEqual({});
    const plain = encodeCursor({ ...c, seen: undefined });
    expect(forgetRead(plain, ['0065g0000000001AAA'])).toBe(plain);
  });
});

describe('simulator ids', () => {
  it('look like Salesforce ids with the case-safe suffix', () => {
    const id = makeId('006', 1);
    expect(id).toMatch(/^006[a-zA-Z0-9]{15}$/);
    expect(caseSafeSuffix('001A0000006Vm9r')).toBe('IAC');
    expect(makeId('006', 1) < makeId('006', 2)).toBe(true);
  });
});
