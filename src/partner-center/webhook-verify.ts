/**
 * Partner Center webhook authentication (partner-center-webhooks.md): the body is signed with
 * RSA-SHA256; the signature comes in `Authorization: Signature <base64>` (or `x-ms-signature`),
 * the signing certificate (PEM or binary DER) at `x-ms-certificate-url`, whose origin must be allow-listed. The
 * certificate must be in its validity period and, when configured, issued to the expected
 * organisation. Only then is the event, a pointer to a referral, trusted.
 */
import { verify, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { coerceError } from '../errors';

export interface WebhookEvent {
  eventName: string;
  referralId: string;
  resourceUri: string;
  changedAt: string | null;
}

export interface WebhookVerifierOptions {
  /** Origins (`https://host[:port]`) the certificate may be fetched from. */
  allowedCertificateOrigins: readonly string[];
  /** Organisation (`O=`) the certificate must name; null skips the check. */
  expectedOrganization: string | null;
  /** The certificate's bytes or text: PEM or binary DER. */
  fetchCertificate: (url: string) => Promise<string | Buffer>;
  now: () => Date;
}

export type Verification = { ok: true; event: WebhookEvent } | { ok: false; reason: string; detail?: string };

const eventSchema = z.looseObject({
  EventName: z.string().min(1),
  ResourceUri: z.string().min(1),
  ResourceName: z.string().nullish(),
  ResourceChangeUtcDate: z.string().nullish(),
});

const header = (headers: Record<string, string | string[] | undefined>, name: string): string | null => {
  const v = headers[name];
  return typeof v === 'string' && v !== '' ? v : null;
};

export function createWebhookVerifier(options: WebhookVerifierOptions) {
  const certificates = new Map<string, X509Certificate>();

  async function certificateAt(url: string): Promise<X509Certificate> {
    const cached = certificates.get(url);
    if (cached) return cached;
    let bytes: Awaited<ReturnType<WebhookVerifierOptions['fetchCertificate']>>;
    try {
      bytes = await options.fetchCertificate(url);
    } catch {
      // Once more: the first request can go out on a pooled connection the server had just closed.
      bytes = await options.fetchCertificate(url);
    }
    const cert = new X509Certificate(bytes);
    certificates.set(url, cert);
    return cert;
  }

  function certificateProblem(cert: X509Certificate): string | null {
    const now = options.now().getTime();
    if (now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo)) return 'certificate is outside its validity period';
    if (options.expectedOrganization !== null && !cert.subject.split('\n').includes(`O=${options.expectedOrganization}`)) {
      return 'certificate is not issued to the expected organization';
    }
    return null;
  }

  return async function verifyWebhook(params: { body: Buffer; headers: Record<string, string | string[] | undefined> }): Promise<Verification> {
    const auth = header(params.headers, 'authorization');
    const signature = /^Signature\s+(\S+)$/.exec(auth ?? '')?.[1] ?? header(params.headers, 'x-ms-signature');
    if (signature === null) return { ok: false, reason: 'no signature' };
    const algorithm = header(params.headers, 'x-ms-signature-algorithm');
    if (algorithm !== null && algorithm.toLowerCase() !== 'rsa-sha256') return { ok: false, reason: `unsupported signature algorithm ${algorithm}` };
    const certUrl = header(params.headers, 'x-ms-certificate-url');
    if (certUrl === null) return { ok: false, reason: 'no certificate url' };
    let origin: string;
    try {
      origin = new URL(certUrl).origin;
    } catch {
      return { ok: false, reason: 'certificate url is not a URL' };
    }
    if (!options.allowedCertificateOrigins.includes(origin)) return { ok: false, reason: `certificate host ${origin} is not allow-listed` };
    let cert: X509Certificate;
    try {
      cert = await certificateAt(certUrl);
    } catch (error) {
      return { ok: false, reason: 'certificate could not be fetched or parsed', detail: coerceError(error).message };
    }
    const problem = certificateProblem(cert);
    if (problem !== null) return { ok: false, reason: problem };
    if (!verify('sha256', params.body, cert.publicKey, Buffer.from(signature, 'base64'))) return { ok: false, reason: 'signature does not match the body' };
    let parsed: unknown;
    try {
      parsed = JSON.parse(params.body.toString('utf8'));
    } catch {
      return { ok: false, reason: 'signed body is not JSON' };
    }
    const event = eventSchema.safeParse(parsed);
    if (!event.success) return { ok: false, reason: 'signed body is not a webhook event' };
    const referralId = /\/referrals\/([^/?#]+)\/?$/.exec(event.data.ResourceUri)?.[1];
    if (!referralId) return { ok: false, reason: 'event does not point to a referral' };
    return {
      ok: true,
      event: { eventName: event.data.EventName, referralId: decodeURIComponent(referralId), resourceUri: event.data.ResourceUri, changedAt: event.data.ResourceChangeUtcDate ?? null },
    };
  };
}

export type WebhookVerifier = ReturnType<typeof createWebhookVerifier>;
