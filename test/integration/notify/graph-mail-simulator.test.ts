/** The Graph mail connector against its simulator over real HTTP: tokens, sends, faults, refusals. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fixtures from '../../fixtures/graph-mail/user-sendmail.json';
import { createGraphMailSender } from '../../../connectors/graph-mail';
import { startGraphMailSimulator, type GraphMailSimulator } from '../../../connectors/graph-mail/simulator';
import { ConnectorError } from '../../../src/errors';
import { createLogger } from '../../../src/log';
import { isMailDeliveryUnknown, type MailMessage } from '../../../src/ports/mail';

const logger = createLogger({ level: 'error', format: 'json' });
const message = (to: string, subject = 'Referral expires in 2 day(s)'): MailMessage => ({ to: [to], subject, body: 'Body text', contentType: 'Text' });

describe('graph-mail connector against the simulator', () => {
  let sim: GraphMailSimulator;
  const sender = (overrides: { clientSecret?: string; sender?: string } = {}) =>
    createGraphMailSender(
      {
        tenantId: sim.tenantId, clientId: sim.clientId, clientSecret: overrides.clientSecret ?? sim.clientSecret, authority: sim.authority,
        graphUrl: sim.url, sender: overrides.sender ?? sim.sender, timeoutMs: 5000, retry: { initialDelayMs: 1, maxDelayMs: 5 },
      },
      { logger },
    );
  beforeEach(async () => {
    sim = await startGraphMailSimulator();
  });
  afterEach(() => sim.close());

  it('sends a message that lands in the mailbox as sent', async () => {
    await sender().send(message('sales@partner.example'));
    expect(sim.mailbox()).toEqual([
      expect.objectContaining({ from: sim.sender, to: ['sales@partner.example'], subject: 'Referral expires in 2 day(s)', body: 'Body text', contentType: 'Text' }),
    ]);
  });

  it('waits out a 429 with Retry-After and sends once', async () => {
    sim.failNext({ status: 429, retryAfterSeconds: 0 });
    await sender().send(message('sales@partner.example'));
    expect(sim.requests()).toBe(2);
    expect(sim.mailbox()).toHaveLength(1);
  });

  it('does not retry a 500: the outcome is unknown', async () => {
    sim.failNext({ status: 500 });
    const error = await sender().send(message('sales@partner.example')).catch((e: unknown) => e);
    expect(isMailDeliveryUnknown(error)).toBe(true);
    expect(sim.requests()).toBe(1);
  });

  it('gives up on a hung request at the timeout, as a send of unknown outcome, without retrying', async () => {
    sim.failNext({ delayMs: 3000 });
    const slow = createGraphMailSender(
      { tenantId: sim.tenantId, clientId: sim.clientId, clientSecret: sim.clientSecret, authority: sim.authority, graphUrl: sim.url, sender: sim.sender, timeoutMs: 1000 },
      { logger },
    );
    const error = await slow.send(message('sales@partner.example')).catch((e: unknown) => e);
    expect(isMailDeliveryUnknown(error)).toBe(true);
    expect(sim.requests()).toBe(1);
  });

  it('gives up on a token request the identity service never answers at the timeout, and sends nothing', async () => {
    const hung = http.createServer(() => undefined); // accepts, never answers
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = hung.address() as AddressInfo;
      const stuck = createGraphMailSender(
        { tenantId: sim.tenantId, clientId: sim.clientId, clientSecret: sim.clientSecret, authority: `http://127.0.0.1:${port}/${sim.tenantId}`, graphUrl: sim.url, sender: sim.sender, timeoutMs: 500, retry: { maxAttempts: 1 } },
        { logger },
      );
      const error = await stuck.send(message('sales@partner.example')).catch((e: unknown) => e);
      expect(String((error as Error).message)).toContain('graph mail token request: no answer within 500 ms');
      expect(sim.requests()).toBe(0);
    } finally {
      hung.closeAllConnections();
      await new Promise((resolve) => hung.close(resolve));
    }
  });

  it('gives up on a 503 storm after the policy attempts, with a retryable error', async () => {
    sim.failNext({ status: 503, retryAfterSeconds: 0, count: 10 });
    const error = await sender().send(message('sales@partner.example')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).retryable).toBe(true);
    expect(sim.requests()).toBe(4);
    expect(sim.mailbox()).toHaveLength(0);
  });

  it('reports a wrong client secret as an auth error, without sending', async () => {
    const error = await sender({ clientSecret: 'wrong' }).send(message('sales@partner.example')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).code).toBe('auth');
    expect(sim.requests()).toBe(0);
  });

  it('reports an unknown sending mailbox as not_found with Graph\'s code', async () => {
    const error = await sender({ sender: 'nobody@cosell.example' }).send(message('sales@partner.example')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'not_found', crmCode: 'ErrorInvalidUser', retryable: false });
  });

  it('lists the mailbox over HTTP', async () => {
    await sender().send(message('ops@partner.example', 'cosell-sync: 25 dead letters waiting'));
    const res = await fetch(`${sim.url}/__admin/mailbox`);
    const listed = (await res.json()) as { value: Array<{ subject: string; to: string[] }> };
    expect(listed.value.map((m) => [m.subject, m.to])).toEqual([['cosell-sync: 25 dead letters waiting', ['ops@partner.example']]]);
  });

  describe('answers Microsoft\'s documented sendMail examples as documented', () => {
    const token = async (): Promise<string> => {
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret, scope: 'https://graph.microsoft.com/.default' });
      const res = await fetch(`${sim.authority}/oauth2/v2.0/token`, { method: 'POST', body: form });
      return ((await res.json()) as { access_token: string }).access_token;
    };
    it.each(fixtures.examples.map((e) => [e.name, e] as const))('%s', async (_name, example) => {
      const res = await fetch(`${sim.url}/v1.0/users/${encodeURIComponent(sim.sender)}/sendMail`, {
        method: 'POST',
        headers: { ...example.request.headers, Authorization: `Bearer ${await token()}` },
        body: JSON.stringify(example.request.body),
      });
      expect(res.status).toBe(example.response.status);
      expect(await res.text()).toBe('');
      const documented = example.request.body.message;
      const [mail] = sim.mailbox();
      expect(mail).toMatchObject({
        subject: documented.subject,
        contentType: documented.body.contentType,
        body: documented.body.content,
        to: documented.toRecipients.map((r) => r.emailAddress.address),
        saveToSentItems: (example.request.body as { saveToSentItems?: string }).saveToSentItems !== 'false',
      });
    });

    it('answers an unauthenticated request with Graph\'s error shape', async () => {
      const example = fixtures.examples[0]!;
      const res = await fetch(`${sim.url}/v1.0/users/${encodeURIComponent(sim.sender)}/sendMail`, { method: 'POST', body: JSON.stringify(example.request.body) });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'InvalidAuthenticationToken', message: expect.any(String) } });
      expect(sim.mailbox()).toHaveLength(0);
    });
  });
});
