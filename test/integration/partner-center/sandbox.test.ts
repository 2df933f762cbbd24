/**
 * The sandbox with Partner Center (what `npm start` runs): a referral Microsoft sends reaches both
 * CRMs, a Salesforce user's accept shows as Active/Accepted in Partner Center, and the referral
 * about to expire sends its warning mail to the mail simulator, named in the logs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PartnerCenterSimulator } from '../../../connectors/partner-center/simulator';
import type { App } from '../../../src/app';
import { assembleApp, sandboxAdapters } from '../../../src/main';
import { opportunityIdOfReferral } from '../../../src/partner-center/inbound';
import type { PartnerCenterSim } from '../../../src/sandbox/partner-center';
import { startSandbox } from '../../../src/sandbox/sandbox';
import { MemoryLogger } from '../../unit/daemon/fakes';

jest.setTimeout(120_000);

let dir: string;
let app: App | null = null;

afterEach(async () => {
  await app?.close();
  app = null;
  rmSync(dir, { recursive: true, force: true });
});

it('shows the Partner Center flows and a warning mail', async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cosell-sandbox-pc-'));
  const logger = new MemoryLogger();
  let pc: PartnerCenterSimulator | null = null;
  const pcAdapter = sandboxAdapters.partnerCenter!;
  app = await startSandbox({
    adapters: {
      ...sandboxAdapters,
      partnerCenter: { ...pcAdapter, start: async () => (pc = (await pcAdapter.start()) as PartnerCenterSimulator) as PartnerCenterSim },
    },
    assemble: (loaded, options) => assembleApp(loaded, { ...options, logger }),
    env: { COSELL_SYNC_HTTP_PORT: '0' },
    dataDir: dir,
  });
  const sim = pc as unknown as PartnerCenterSimulator;
  const referrals = [...sim.state.referrals.values()];
  expect(referrals.map((r) => r.name).sort()).toEqual(['Coho Winery data estate', 'Litware analytics modernisation', 'Proseware migration to Azure']);

  // The sandbox signed in through the device code flow: the API saw the token Entra issued.
  expect(sim.entra.issuedTokens().access.length).toBeGreaterThan(0);

  for (const r of referrals) {
    const id = opportunityIdOfReferral(r.id);
    expect([await app.store.getLinkByOpportunity('salesforce-sandbox', id), await app.store.getLinkByOpportunity('dynamics-sandbox', id)]).toEqual([
      expect.objectContaining({ opportunityId: id }),
      expect.objectContaining({ opportunityId: id }),
    ]);
  }
  const litware = referrals.find((r) => r.name === 'Litware analytics modernisation');
  expect(sim.state.get(litware!.id)).toMatchObject({ status: 'Active', substatus: 'Accepted' });
  expect(logger.events('sandbox.partner-center').map((l) => l.meta)).toEqual([expect.objectContaining({ status: 'Active', substatus: 'Accepted' })]);

  const [mailbox] = logger.events('sandbox.mailbox').map((l) => l.meta['subjects'] as string[]);
  expect(mailbox).toEqual(expect.arrayContaining([expect.stringMatching(/expires in 2 day\(s\): Proseware migration to Azure/)]));
});
