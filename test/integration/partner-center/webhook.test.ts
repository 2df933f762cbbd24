/**
 * Signed webhooks end to end: the simulator signs with a certificate generated at test time and
 * posts to a real HTTP listener; the referral it points to is fetched and applied to a real store.
 */
import { get as httpGet } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerPartnerCenterWebhook } from '../../../src/http/partner-center-webhook';
import { opportunityIdOfReferral } from '../../../src/partner-center/inbound';
import { createWebhookVerifier } from '../../../src/partner-center/webhook-verify';
import { anIncomingBody, capturingLogger } from './setup';
import { startPcHarness, type PcHarness } from './sync-harness';

/**
 * The certificate over a connection of its own (no keep-alive pool): each test starts a simulator
 * on a new port, and a pooled connection to a closed one from an earlier test on a reused port
 * would fail the fetch for a reason that is not this test's.
 */
function getOverFreshConnection(u: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpGet(u, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => ((res.statusCode ?? 0) === 200 ? resolve(body) : reject(new Error(`certificate fetch answered ${String(res.statusCode)}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

let h: PcHarness;
let server: FastifyInstance;
let url: string;
let log: ReturnType<typeof capturingLogger>;
let fetched: string[];

async function listen(allowed: (h: PcHarness) => string[], organization: string | null = 'Microsoft Corporation', failures = 0): Promise<void> {
  h = await startPcHarness('sqlite');
  log = capturingLogger();
  fetched = [];
  const verify = createWebhookVerifier({
    allowedCertificateOrigins: allowed(h),
    expectedOrganization: organization,
    fetchCertificate: async (u) => {
      fetched.push(u);
      if (fetched.length <= failures) throw new Error('other side closed');
      return getOverFreshConnection(u);
    },
    now: () => new Date(),
  });
  server = Fastify({ logger: false });
  registerPartnerCenterWebhook(server, { verify, onReferral: (id) => h.sync.pullOne(id), logger: log.logger });
  url = `${await server.listen({ port: 0, host: '127.0.0.1' })}/webhooks/partner-center`;
}

afterEach(async () => {
  await server?.close();
  await h?.close();
});

const simOrigin = (x: PcHarness): string[] => [x.sim.origin];

describe('POST /webhooks/partner-center', () => {
  it('a signed event fetches the referral and applies it; a replay changes nothing', async () => {
    await listen(simOrigin);
    const sent = h.sim.receive(anIncomingBody());
    expect(await h.sim.emitWebhook({ url, referralId: sent.id, eventName: 'referral-created' })).toBe(202);
    const id = opportunityIdOfReferral(sent.id);
    const stored = await h.store.getOpportunity(id);
    expect(stored?.opportunity.stage).toBe('received');
    const events = (await h.store.listEvents(id)).length;
    expect(await h.sim.emitWebhook({ url, referralId: sent.id, eventName: 'referral-created' })).toBe(202);
    expect((await h.store.getOpportunity(id))?.version).toBe(stored?.version);
    expect(await h.store.listEvents(id)).toHaveLength(events);
    // The certificate is fetched once, then cached.
    expect(fetched).toEqual([h.sim.certificateUrl]);
  });

  it('an out-of-order delivery (older state after newer) changes nothing', async () => {
    await listen(simOrigin);
    const sent = h.sim.receive(anIncomingBody());
    h.sim.microsoftUpdate(sent.id, { status: 'Closed', substatus: 'Declined', statusReason: 'customer went elsewhere' });
    expect(await h.sim.emitWebhook({ url, referralId: sent.id })).toBe(202);
    const id = opportunityIdOfReferral(sent.id);
    expect((await h.store.getOpportunity(id))?.opportunity.stage).toBe('declined');
    expect(await h.sim.emitWebhook({ url, referralId: sent.id, eventName: 'referral-created' })).toBe(202);
    expect((await h.store.getOpportunity(id))?.opportunity).toMatchObject({ stage: 'declined', declineReason: 'customer went elsewhere' });
  });

  it.each([
    ['forged body', { tamper: (b: string) => b.replace('referral', 'referraL') }, 'signature does not match the body'],
    ['unsigned', { unsigned: true }, 'no signature'],
  ])('refuses a %s with 401 and one log line; nothing is fetched', async (_name, delivery, reason) => {
    await listen(simOrigin);
    const sent = h.sim.receive(anIncomingBody());
    const before = h.sim.requests();
    expect(await h.sim.emitWebhook({ url, referralId: sent.id, ...delivery })).toBe(401);
    expect(h.sim.requests()).toBe(before);
    expect(await h.store.getOpportunity(opportunityIdOfReferral(sent.id))).toBeNull();
    const lines = log.lines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', event: 'webhook.refused', reason });
  });

  it('refuses a certificate from a host that is not allow-listed, without fetching it', async () => {
    await listen(() => ['https://api.partnercenter.microsoft.com']);
    const sent = h.sim.receive(anIncomingBody());
    expect(await h.sim.emitWebhook({ url, referralId: sent.id })).toBe(401);
    expect(fetched).toEqual([]);
    expect(log.lines()[0]?.['reason']).toMatch(/not allow-listed/);
  });

  it('fetches the certificate once more when the first fetch fails; refuses, saying why, when that fails too', async () => {
    await listen(simOrigin, 'Microsoft Corporation', 1);
    const sent = h.sim.receive(anIncomingBody());
    expect(await h.sim.emitWebhook({ url, referralId: sent.id, eventName: 'referral-created' })).toBe(202);
    expect(fetched).toEqual([h.sim.certificateUrl, h.sim.certificateUrl]);
    await server.close();
    await h.close();
    await listen(simOrigin, 'Microsoft Corporation', 2);
    const again = h.sim.receive(anIncomingBody());
    expect(await h.sim.emitWebhook({ url, referralId: again.id })).toBe(401);
    expect(log.lines()[0]).toMatchObject({ reason: 'certificate could not be fetched or parsed', detail: 'other side closed' });
  });

  it('refuses a certificate issued to another organisation', async () => {
    await listen(simOrigin, 'Fabrikam Inc');
    const sent = h.sim.receive(anIncomingBody());
    expect(await h.sim.emitWebhook({ url, referralId: sent.id })).toBe(401);
    expect(log.lines()[0]?.['reason']).toBe('certificate is not issued to the expected organization');
  });
});
