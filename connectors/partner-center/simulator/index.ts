/**
 * A Partner Center Referrals API simulator for tests and the sandbox. It listens on 127.0.0.1 and
 * exposes Microsoft's side as methods: a referral sent to us, and changes Microsoft makes.
 */
import { randomUUID, sign } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Referral, ReferralBody } from '../../../src/ports/referral';
import { route, send } from './server';
import { ReferralState, type Fault } from './state';
import { createTestCertificate } from './certificate';
import { EntraSimulator, type EntraOptions } from './entra';

export type { EntraOptions, EntraUser } from './entra';

const CERT_PATH = '/webhooks/certificate.pem';
const DER_CERT_PATH = '/webhooks/certificate.cer';

export interface WebhookDelivery {
  url: string;
  eventName?: string;
  referralId: string;
  /** Sign one body, send another (a forged delivery). */
  tamper?: (body: string) => string;
  /** Leave the signature out. */
  unsigned?: boolean;
  /** Name the certificate as binary DER (`.cer`) instead of PEM. */
  certificateFormat?: 'pem' | 'der';
}

export interface PartnerCenterSimulator {
  /** `http://127.0.0.1:PORT`; the API base is `${origin}/v1.0/engagements`. */
  readonly origin: string;
  readonly apiBase: string;
  /** Base of the partner lookup (`${origin}/v1`, the Partner Center API's `/v1`). */
  readonly partnerApiBase: string;
  /** Makes a partner id known to Partner Center (R8 lookups find it). */
  addPartner(partnerId: string, name: string): void;
  readonly state: ReferralState;
  /** A token the simulator accepts. */
  readonly token: string;
  /**
   * Entra ID for delegated sign-in (device code, refresh tokens) at `${origin}/{tenant}/oauth2/v2.0/`;
   * the access tokens it issues are accepted by the Referrals API. `authority` is what a client
   * configures: `${origin}/${entra.tenantId}`.
   */
  readonly entra: EntraSimulator;
  readonly authority: string;
  /** Microsoft sends us a referral (New/Pending, Incoming). */
  receive(body: ReferralBody): Referral;
  /** A change made on Microsoft's side (status, MSX id …): new ETag and updatedDateTime. */
  microsoftUpdate(id: string, changes: Partial<ReferralBody>): Referral;
  /**
   * Microsoft sellers answer our invitation: Microsoft's own referral in the same engagement
   * (organizationId `msft`) is created or moved to `status`/`substatus` (New/Pending, Active/Accepted,
   * Closed/Declined, Closed/Expired …). Returns it.
   */
  microsoftAnswer(ourReferralId: string, status: string, substatus: string): Referral;
  injectFault(fault: Fault): void;
  /** Where the simulator serves the certificate its webhook signatures verify against. */
  readonly certificateUrl: string;
  /** Sends a signed `referral-updated` (or given) event to `url`; resolves to the HTTP status. */
  emitWebhook(delivery: WebhookDelivery): Promise<number>;
  revokeTokens(): void;
  /** Referrals API requests served (the Entra endpoints are not counted). */
  requests(): number;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

export async function startPartnerCenterSimulator(
  options: { port?: number; now?: () => number; entra?: EntraOptions } = {},
): Promise<PartnerCenterSimulator> {
  const state = new ReferralState(options.now);
  const tokens = new Set<string>([`sim-${randomUUID()}`]);
  let origin = '';
  let count = 0;
  const entra = new EntraSimulator({ ...(options.now ? { now: options.now } : {}), ...options.entra }, () => origin);
  const env = { state, origin: () => origin, isValidToken: (t: string) => tokens.has(t) || entra.accepts(t) };
  const certificate = createTestCertificate({ commonName: 'partner-center-simulator.test', organization: 'Microsoft Corporation' });
  const server = createServer((req, res) => {
    if (req.url === CERT_PATH) {
      res.writeHead(200, { 'Content-Type': 'application/x-pem-file' });
      res.end(certificate.pem);
      return;
    }
    if (req.url === DER_CERT_PATH) {
      res.writeHead(200, { 'Content-Type': 'application/pkix-cert' });
      res.end(certificate.der);
      return;
    }
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (entra.handles(path)) {
      readBody(req)
        .then((text) => {
          const reply = entra.route(req.method ?? 'GET', path, text);
          res.writeHead(reply.status, reply.headers);
          res.end(reply.body);
        })
        .catch(() => {
          res.writeHead(500);
          res.end();
        });
      return;
    }
    count++;
    readBody(req)
      .then((text) => send(res, route(env, req, text)))
      .catch((e: unknown) => send(res, { status: 500, body: { error: { code: 'generalException', message: String(e) } } }));
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const [token] = [...tokens];

  return {
    origin,
    apiBase: `${origin}/v1.0/engagements`,
    partnerApiBase: `${origin}/v1`,
    addPartner: (partnerId, name) => void state.partners.set(partnerId, { name }),
    state,
    token: token ?? '',
    entra,
    authority: `${origin}/${entra.tenantId}`,
    receive(body) {
      const at = state.stamp();
      const referral: Referral = {
        status: 'New',
        substatus: 'Pending',
        type: 'Independent',
        qualification: 'SalesQualified',
        inviteContext: { invitedBy: { organizationId: 'msft', organizationName: 'Microsoft' } },
        ...body,
        id: randomUUID(),
        engagementId: body.engagementId ?? randomUUID(),
        organizationId: state.organizationId,
        organizationName: state.organizationName,
        externalReferenceId: body.externalReferenceId ?? null,
        direction: 'Incoming',
        createdDateTime: at,
        expirationDateTime: new Date(Date.parse(at) + 14 * 86_400_000).toISOString(),
      };
      return state.save(referral, origin);
    },
    microsoftUpdate(id, changes) {
      const current = state.get(id);
      if (!current) throw new Error(`no referral ${id}`);
      return state.save({ ...current, ...changes, id }, origin);
    },
    microsoftAnswer(ourReferralId, status, substatus) {
      const ours = state.get(ourReferralId);
      if (!ours) throw new Error(`no referral ${ourReferralId}`);
      const existing = [...state.referrals.values()].find((r) => r.engagementId === ours.engagementId && r.organizationId === 'msft');
      const at = state.stamp();
      const base: Referral = existing ?? {
        id: randomUUID(),
        engagementId: ours.engagementId ?? null,
        organizationId: 'msft',
        organizationName: 'Microsoft',
        name: ours.name ?? null,
        type: 'Shared',
        qualification: ours.qualification ?? null,
        direction: 'Incoming',
        customerProfile: ours.customerProfile ?? null,
        createdDateTime: at,
      };
      return state.save({ ...base, status, substatus }, origin);
    },
    injectFault: (fault) => state.faults.push(fault),
    certificateUrl: `${origin}${CERT_PATH}`,
    async emitWebhook(delivery) {
      const signed = JSON.stringify({
        EventName: delivery.eventName ?? 'referral-updated',
        ResourceUri: `${origin}/v1.0/engagements/referrals/${delivery.referralId}`,
        ResourceName: 'referral',
        AuditUri: null,
        ResourceChangeUtcDate: new Date().toISOString(),
      });
      const signature = sign('sha256', Buffer.from(signed, 'utf8'), certificate.privateKey).toString('base64');
      const res = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'x-ms-certificate-url': `${origin}${delivery.certificateFormat === 'der' ? DER_CERT_PATH : CERT_PATH}`,
          'x-ms-signature-algorithm': 'rsa-sha256',
          ...(delivery.unsigned ? {} : { Authorization: `Signature ${signature}` }),
        },
        body: delivery.tamper ? delivery.tamper(signed) : signed,
      });
      await res.arrayBuffer();
      return res.status;
    },
    revokeTokens: () => tokens.clear(),
    requests: () => count,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
