import { validate, version } from 'uuid';
import { opportunityIdFor } from '../../../src/sync/context';
import { uuidFromName } from '../../../src/sync/values';

/** Ids issued before the uuid package was used, computed then; links in existing stores hold them. */
const ISSUED: Array<[string, string, string]> = [
  ['sf-prod', '006000000000001AAA', '5a2d36c4-e195-52e9-94a5-77f0935bb3f6'],
  ['dynamics', '6a1f2c3d-0000-4000-8000-000000000001', '22494d09-074d-551c-a4fb-b39fd8cff61e'],
  ['a', '0061x00000ABCDe', '96b2632e-62b8-5659-b0ab-c7e8f7793a49'],
  ['crm-ü', 'Ölß-42', '87ecb0f9-806b-5cca-a97a-c6eade5b1587'],
];

describe('co-sell ids from CRM records', () => {
  it.each(ISSUED)('%s:%s keeps the id it was given', (connector, externalId, id) => {
    expect(opportunityIdFor(connector, externalId)).toBe(id);
  });

  it('are version-5 UUIDs and differ between records', () => {
    const a = opportunityIdFor('sf', '006000000000001AAA');
    const b = opportunityIdFor('sf', '006000000000002AAA');
    expect(validate(a) && version(a) === 5).toBe(true);
    expect(a).not.toBe(b);
  });

  it('refuses a name too short to be a CRM record', () => {
    expect(() => uuidFromName('a:')).toThrow(/at least 4 bytes/);
  });
});
