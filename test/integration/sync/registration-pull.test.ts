/**
 * R17 on the pull path: a mapped CRM field carries a won deal's registration to the core
 * (Salesforce simulator over real HTTP, real SQLite store).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadMapping } from '../../../src/mapping/load';
import { linkedIds, sfOpportunity, startSyncHarness, type SyncHarness } from './harness';
import { asOpportunityId } from '../../../src/core/model';

const ROOT = path.resolve(__dirname, '../../..');

describe('deal registration from the CRM (R17)', () => {
  let h: SyncHarness;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cosell-reg-'));
    const shipped = readFileSync(path.join(ROOT, 'config/mappings/salesforce.yaml'), 'utf8');
    const file = path.join(dir, 'salesforce-reg.yaml');
    writeFileSync(file, `${shipped}\nregistration:\n  idField: CoSell_Registration_Id__c\n  detailsField: CoSell_Registration_Details__c\n`);
    h = await startSyncHarness({ dynamics: false });
    h.instances[0]!.mapping = loadMapping(file);
  });
  afterEach(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const registrationOf = async (sfId: string) => {
    const { opportunityId } = await linkedIds(h, sfId);
    return (await h.store.getOpportunity(asOpportunityId(opportunityId)))!.opportunity;
  };

  it('a deal won in the CRM with a registration id carries it to co-sell; a changed registration is taken again', async () => {
    const [sfId] = h.sf.seed([sfOpportunity({ CoSell_Registration_Id__c: 'REG-0042', CoSell_Registration_Details__c: '{"program":"MACC"}' })]);
    await h.syncAll();
    expect((await registrationOf(sfId!)).dealRegistration).toBeNull(); // accepted: R17 waits for the win
    h.sf.update(sfId!, { StageName: 'Closed Won' });
    await h.syncAll();
    const won = await registrationOf(sfId!);
    expect(won).toMatchObject({ stage: 'won', dealRegistration: { registrationId: 'REG-0042', details: { program: 'MACC' } } });
    const events = (await h.store.listEvents(won.id)).length;
    await h.syncAll();
    expect(await h.store.listEvents(won.id)).toHaveLength(events); // read again: nothing new
    h.sf.update(sfId!, { CoSell_Registration_Id__c: 'REG-0043' });
    await h.syncAll();
    expect((await registrationOf(sfId!)).dealRegistration).toMatchObject({ registrationId: 'REG-0043', details: { program: 'MACC' } });
  });

  it('details that are not a JSON object of text wait as a dead letter naming the field', async () => {
    const [sfId] = h.sf.seed([sfOpportunity({ StageName: 'Closed Won', CoSell_Registration_Id__c: 'REG-1', CoSell_Registration_Details__c: '{nope' })]);
    await h.syncAll();
    // Like any value the mapping cannot read: the record waits, nothing half-applied.
    expect(await h.store.getLink('sf', sfId!)).toBeNull();
    const letters = await h.store.listDeadLetters({ unresolvedOnly: true });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ direction: 'pull', externalId: sfId, code: 'mapping', reason: 'CoSell_Registration_Details__c: registration details: not valid JSON' });
  });
});
