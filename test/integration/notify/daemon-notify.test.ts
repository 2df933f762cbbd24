/**
 * The daemon runs the notifier after each sync run: a referral about to expire sends its warning
 * to the Graph simulator's mailbox once, and the log line says how many of which kind, no address.
 */
import { createGraphMailSender } from '../../../connectors/graph-mail';
import { startGraphMailSimulator, type GraphMailSimulator } from '../../../connectors/graph-mail/simulator';
import { DAY_MS } from '../../../src/core/clock';
import { startDaemon, type DaemonHandle } from '../../../src/daemon/daemon';
import { NOTIFICATIONS_SCHEMA, Notifier } from '../../../src/notify';
import { anInboundInput, anOpportunityId } from '../../unit/core/builders';
import { ManualCron, MemoryLogger } from '../../unit/daemon/fakes';
import { createHarness, type Harness } from '../cli/harness';

let h: Harness;
let sim: GraphMailSimulator;
let handle: DaemonHandle | null = null;

beforeEach(async () => {
  h = await createHarness();
  sim = await startGraphMailSimulator();
});
afterEach(async () => {
  if (handle !== null) await handle.stop('test cleanup').catch(() => undefined);
  handle = null;
  await h.cleanup();
  await sim.close();
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i += 1) await new Promise((r) => setTimeout(r, 10));
}

it('sends the expiry warning after a sync run, once, and logs counts only', async () => {
  const logger = new MemoryLogger();
  const id = anOpportunityId('opp-soon');
  const receivedAt = new Date(h.clock.now().getTime() - 12 * DAY_MS);
  await h.store.applyCommand({ id, command: { kind: 'receiveInbound', id, input: anInboundInput({ dealName: 'Fabrikam rollout' }) }, source: { kind: 'system', name: 'test' }, now: receivedAt });
  const settings = NOTIFICATIONS_SCHEMA.parse({
    enabled: true,
    mail: { kind: 'graph', tenantId: sim.tenantId, clientId: sim.clientId, clientSecret: sim.clientSecret, sender: sim.sender },
    recipients: { inbound: ['cosell-team@partner.example'] },
    lookbackHours: 1,
  });
  const mail = createGraphMailSender(
    { tenantId: sim.tenantId, clientId: sim.clientId, clientSecret: sim.clientSecret, authority: sim.authority, graphUrl: sim.url, sender: sim.sender },
    { logger },
  );
  h.app.notifier = new Notifier({ store: h.store, mail, settings, clock: h.clock, logger, connectors: ['sf-main'] });
  const cron = new ManualCron();
  handle = startDaemon(h.app, { http: false, schedule: cron.schedule });
  await handle.ready;
  expect(sim.mailbox()).toHaveLength(0);

  cron.fire('sync:sf-main');
  await until(() => logger.events('notify.sent').length > 0);
  expect(sim.mailbox().map((m) => [m.subject, m.to])).toEqual([['Referral expires in 2 day(s): Fabrikam rollout', ['cosell-team@partner.example']]]);
  expect(logger.events('notify.sent').map((l) => l.meta)).toEqual([expect.objectContaining({ sent: 1, kinds: { 'expiry-warning': 1 } })]);

  cron.fire('sync:sf-main');
  cron.fire('expiry-sweep');
  await until(() => h.engine.runs.length === 2);
  await handle.stop('test');
  handle = null;
  expect(sim.mailbox()).toHaveLength(1);
  expect(JSON.stringify(logger.lines)).not.toMatch(/@/);
});
