/**
 * Partner Center in the sandbox: its simulator configured as the daemon's Partner Center
 * instance, three referrals Microsoft sends (two new ones, one received 12 days ago whose expiry
 * warning goes to the mail simulator), and a Salesforce user accepting one, which Partner Center
 * then shows as Active/Accepted.
 */
import type { App } from '../app';
import { DAY_MS } from '../core/clock';
import { opportunityIdOfReferral } from '../partner-center/inbound';
import type { Referral, ReferralBody } from '../ports/referral';

export const SANDBOX_PC_CLIENT_ID = 'cosell-sync-sandbox';

/** What the sandbox needs of the Partner Center simulator. */
export interface PartnerCenterSim {
  origin: string;
  apiBase: string;
  /** The Partner Center API's `/v1` (R8's partner lookups). */
  partnerApiBase: string;
  authority: string;
  entra: { tenantId: string; approve(userCode: string, user: { username: string; name: string }): void };
  receive(body: ReferralBody): Referral;
  microsoftUpdate(id: string, changes: Partial<ReferralBody>): Referral;
  state: { get(id: string): Referral | undefined };
  close(): Promise<void>;
}

export interface SandboxPartnerCenter {
  start(): Promise<PartnerCenterSim>;
  /**
   * `login partner-center` with the sandbox's configuration: the device code flow against the
   * simulator's Entra ID, `onDeviceCode` standing in for the person at the browser.
   */
  login(request: { configPath: string; env: NodeJS.ProcessEnv; onDeviceCode(prompt: { userCode: string }): void }): Promise<unknown>;
}

/** The sandbox's person at the browser: approves the code the sign-in shows. */
export function approveSandboxSignIn(sim: PartnerCenterSim): (prompt: { userCode: string }) => void {
  return (prompt) => sim.entra.approve(prompt.userCode, { username: 'sandbox.user@partner.example', name: 'Sandbox User' });
}

export function partnerCenterYaml(sim: PartnerCenterSim): string {
  return `partnerCenter:
  apiBase: ${sim.apiBase}
  partnerApiBase: ${sim.partnerApiBase}
  schedule: '10,25,40,55 * * * * *'
  publisher: Simulated Partner Ltd
  auth: { tenantId: ${sim.entra.tenantId}, clientId: ${SANDBOX_PC_CLIENT_ID}, authority: ${sim.authority}, keyEnv: COSELL_SANDBOX_TOKEN_KEY }
  webhook: { enabled: true, certificateHosts: [${sim.origin}] }
`;
}

function referral(name: string, customer: string, country: string, city: string): ReferralBody {
  return {
    name,
    customerProfile: { name: customer, address: { city, country }, team: [], ids: [] },
    consent: { consentToContact: false },
    details: {
      dealValue: 65000, currency: 'USD', closingDateTime: '2027-06-30T00:00:00Z',
      requirements: { solutions: [{ id: 'SOL-AZ-DATA', name: 'Azure Data Platform', type: 'Name', publisherName: 'Microsoft' }] },
    },
    team: [{ firstName: 'Morgan', lastName: 'Seller', email: 'morgan.seller@microsoft.example', phoneNumber: '+1 425 555 0100' }],
  };
}

/** Microsoft sends three referrals; the third was received 12 days ago (two days before it expires). */
export function seedPartnerCenter(sim: PartnerCenterSim, now: Date): Referral[] {
  const fresh = [
    sim.receive(referral('Litware analytics modernisation', 'Litware Inc', 'US', 'Chicago')),
    sim.receive(referral('Coho Winery data estate', 'Coho Winery', 'FR', 'Bordeaux')),
  ];
  const old = sim.receive(referral('Proseware migration to Azure', 'Proseware Inc', 'GB', 'Leeds'));
  const aged = sim.microsoftUpdate(old.id, { createdDateTime: new Date(now.getTime() - 12 * DAY_MS).toISOString() });
  return [...fresh, aged];
}

/** A Salesforce user accepts the first referral; Partner Center shows it Active/Accepted after the next runs. */
export async function acceptInSalesforce(p: {
  app: App;
  sim: PartnerCenterSim;
  sf: { update(id: string, fields: Record<string, unknown>): unknown };
  referral: Referral;
  salesforce: string;
  partnerCenter: string;
}): Promise<void> {
  const { app, sim } = p;
  const link = await app.store.getLinkByOpportunity(p.salesforce, opportunityIdOfReferral(p.referral.id));
  if (link === null) return;
  p.sf.update(link.externalId, { StageName: 'Qualification' });
  app.logger.info('sandbox: a Salesforce user accepts a Partner Center referral', { event: 'sandbox.user', externalId: link.externalId, referralId: p.referral.id });
  await app.engine.runOnce({ connector: p.salesforce });
  await app.engine.runOnce({ connector: p.partnerCenter });
  const now = sim.state.get(p.referral.id);
  app.logger.info('sandbox: Partner Center shows the referral', {
    event: 'sandbox.partner-center', referralId: p.referral.id, status: now?.status ?? null, substatus: now?.substatus ?? null,
  });
}
