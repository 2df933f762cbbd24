/**
 * The Graph mail connector replayed with nock against Microsoft's documented sendMail examples
 * (test/fixtures/graph-mail/user-sendmail.json): the body the connector sends for the documented
 * message is the documented body, a 202 is a success, and the documented error is parsed with its code.
 */
import nock from 'nock';
import fixtures from '../../fixtures/graph-mail/user-sendmail.json';
import { createGraphMailSender, sendMailBody } from '../../../connectors/graph-mail';
import { ConnectorError } from '../../../src/errors';
import { createLogger } from '../../../src/log';
import type { MailMessage } from '../../../src/ports/mail';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const LOGIN = 'https://login.microsoftonline.com';
const GRAPH = 'https://graph.microsoft.com';
const SENDER = 'notifications@contoso.com';
const TOKEN = 'fixture-access-token';
const logger = createLogger({ level: 'error', format: 'json' });

/** Entra ID's answers for the client-credentials flow (shapes from the OpenID configuration and token docs). */
function identity(): void {
  nock(LOGIN)
    .persist()
    .get(/discovery\/instance/)
    .reply(200, {
      tenant_discovery_endpoint: `${LOGIN}/${TENANT}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: 'login.microsoftonline.com', preferred_cache: 'login.windows.net', aliases: ['login.microsoftonline.com', 'login.windows.net'] }],
    })
    .get(`/${TENANT}/v2.0/.well-known/openid-configuration`)
    .reply(200, {
      token_endpoint: `${LOGIN}/${TENANT}/oauth2/v2.0/token`,
      authorization_endpoint: `${LOGIN}/${TENANT}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${LOGIN}/${TENANT}/oauth2/v2.0/logout`,
      jwks_uri: `${LOGIN}/${TENANT}/discovery/v2.0/keys`,
      issuer: `${LOGIN}/${TENANT}/v2.0`,
    })
    .post(`/${TENANT}/oauth2/v2.0/token`)
    .query(true)
    .reply(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: TOKEN });
}

const sender = () =>
  createGraphMailSender({ tenantId: TENANT, clientId: 'app-id', clientSecret: 'app-secret', sender: SENDER, retry: { maxAttempts: 1 } }, { logger });

/** The documented example as our port's message (one recipient; our sends never carry cc). */
function asMessage(example: (typeof fixtures.examples)[number]): MailMessage {
  const m = example.request.body.message;
  return { to: m.toRecipients.map((r) => r.emailAddress.address), subject: m.subject, body: m.body.content, contentType: m.body.contentType as 'Text' | 'HTML' };
}

describe('graph-mail connector replaying Microsoft Graph sendMail documentation examples', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it.each(fixtures.examples.map((e) => [e.name, e] as const))('%s: sends the documented message fields and takes 202 as success', async (_name, example) => {
    identity();
    const documented = example.request.body.message;
    const sent: unknown[] = [];
    const scope = nock(GRAPH, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .matchHeader('content-type', /application\/json/)
      .post(`/v1.0/users/${encodeURIComponent(SENDER)}/sendMail`, (body: unknown) => {
        sent.push(body);
        return true;
      })
      .reply(example.response.status);
    await sender().send(asMessage(example));
    expect(scope.isDone()).toBe(true);
    const body = sent[0] as { message: Record<string, unknown>; saveToSentItems: unknown };
    expect(body.message.subject).toBe(documented.subject);
    expect(body.message.body).toEqual(documented.body);
    expect(body.message.toRecipients).toEqual(documented.toRecipients);
    expect(typeof body.saveToSentItems).toBe('boolean');
  });

  it('builds the documented JSON shape for the first example', () => {
    const example = fixtures.examples[0]!;
    const { ccRecipients: _cc, ...documented } = example.request.body.message;
    expect(sendMailBody(asMessage(example), false)).toEqual({ message: documented, saveToSentItems: false });
  });

  it('parses the documented 400 error with its code, as a refusal that is not retried', async () => {
    identity();
    const error = fixtures.errors[0]!;
    const scope = nock(GRAPH).post(`/v1.0/users/${encodeURIComponent(SENDER)}/sendMail`).reply(error.response.status, error.response.body, error.response.headers);
    const thrown = await sender().send(asMessage(fixtures.examples[0]!)).catch((e: unknown) => e);
    expect(scope.isDone()).toBe(true);
    expect(thrown).toBeInstanceOf(ConnectorError);
    expect(thrown).toMatchObject({ code: 'validation', retryable: false, httpStatus: 400, crmCode: 'ErrorMimeContentInvalidBase64String' });
  });
});

// nock patches Node's http module and fetch, which the later test files of this jest worker share:
// undone here, or their requests would still pass through this file's interceptor.
afterAll(() => nock.restore());
