/**
 * Scripted CRM users for the sandbox: one action every 20 seconds, each showing one flow in the
 * daemon's logs (an edit, an accept, a decline, a win, a second CRM closing the same deal as lost,
 * a record fixed after it was dead-lettered).
 */
import type { App } from '../app';
import { asOpportunityId } from '../core/model';

interface Sim {
  update(id: string, fields: Record<string, unknown>): unknown;
}

interface ActivityDeps {
  app: App;
  sf: Sim;
  dyn: Sim;
  sfIds: string[];
}

const STEP_MS = 20_000;
const REFERRAL = (n: number) => asOpportunityId(`5a4db0c0-0000-4000-8000-${String(n).padStart(12, '0')}`);

export function sandboxActivity(deps: ActivityDeps): { stop(): void } {
  const { app, sf, dyn, sfIds } = deps;
  const say = (message: string, meta: Record<string, unknown>) => app.logger.info(`sandbox: ${message}`, { event: 'sandbox.user', ...meta });
  const linkOf = async (connector: string, opportunityId: string) => (await app.store.getLinkByOpportunity(connector, asOpportunityId(opportunityId)))?.externalId ?? null;
  const sfOpp = async (i: number) => (await app.store.getLink('salesforce-sandbox', sfIds[i] ?? ''))?.opportunityId ?? null;
  const steps: Array<() => Promise<void>> = [
    async () => {
      sf.update(sfIds[0] ?? '', { Amount: 180000 });
      say('a Salesforce user raises the amount of a deal', { externalId: sfIds[0] });
    },
    async () => {
      const id = await linkOf('dynamics-sandbox', REFERRAL(2));
      if (id) dyn.update(id, { statecode: 0, statuscode: 1, salesstage: 1 });
      say('a Dynamics user accepts a referral', { externalId: id });
    },
    async () => {
      const id = await linkOf('salesforce-sandbox', REFERRAL(3));
      if (id) sf.update(id, { StageName: 'Closed Lost', CoSell_Decline_Reason__c: 'Not a fit' });
      say('a Salesforce user declines a referral', { externalId: id });
    },
    async () => {
      sf.update(sfIds[1] ?? '', { StageName: 'Closed Won' });
      say('a Salesforce user marks a deal won', { externalId: sfIds[1] });
    },
    async () => {
      const opp = await sfOpp(1);
      const id = opp ? await linkOf('dynamics-sandbox', opp) : null;
      if (id) dyn.update(id, { statecode: 2, statuscode: 5 });
      say('a Dynamics user closes the same deal as lost (two CRMs, two outcomes)', { externalId: id });
    },
    async () => {
      sf.update(sfIds[3] ?? '', { CoSell_Team__c: JSON.stringify([{ name: 'Sam Seller', phone: '+1 555 0100', email: 'sam@partner.example.com' }]) });
      say('a Salesforce user adds the missing team to a dead-lettered deal', { externalId: sfIds[3] });
    },
  ];
  let next = 0;
  const timer = setInterval(() => {
    const step = steps[next];
    next += 1;
    if (!step) {
      clearInterval(timer);
      return;
    }
    step().catch((error: unknown) => app.logger.warn('sandbox step failed', { event: 'sandbox.error', err: error }));
  }, STEP_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
