/**
 * The `partnerCenter` block of the daemon configuration: Microsoft Partner Center as its own
 * connector instance (the Referrals API), its schedule, the delegated sign-in it uses and the
 * signed webhooks it accepts. Absent: Partner Center takes no part.
 */
import { z } from 'zod';
import { PARTNER_CENTER_CONNECTOR } from '../partner-center/inbound';
import { PARTNER_CENTER_AUTH_SCHEMA } from './partner-center-auth';
import { strictObject } from './zod-issues';

const text = z.string().min(1);
const url = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

/** The instance name of Partner Center: its runs, lease, cursors and dead letters go by it. */
export const PARTNER_CENTER_INSTANCE = PARTNER_CENTER_CONNECTOR;

/** https://learn.microsoft.com/en-us/partner-center/developer/get-a-list-of-referrals */
export const PARTNER_CENTER_API_BASE = 'https://api.partner.microsoft.com/v1.0/engagements';

/** https://learn.microsoft.com/en-us/partner-center/developer/get-partner-by-mpn-id */
export const PARTNER_LOOKUP_API_BASE = 'https://api.partnercenter.microsoft.com/v1';

/**
 * Where Partner Center's webhook signing certificate is served from: the `X-MS-Certificate-Url`
 * of the documented samples (partner-center-webhooks.md) is on this host.
 */
export const PARTNER_CENTER_CERTIFICATE_HOSTS = ['https://3psostorageacct.blob.core.windows.net'] as const;

/** An origin: scheme, host and port only, as the webhook verifier compares them. */
const origin = url.refine(
  (value) => {
    try {
      return new URL(value).origin === value.replace(/\/$/, '');
    } catch {
      return false;
    }
  },
  { message: 'expected an origin (scheme://host[:port]) without a path' },
);

const RETRY = strictObject({
  /** Attempts per request, the first included. */
  maxAttempts: z.int().min(1).max(20).default(5),
  initialDelayMs: z.int().min(0).max(60_000).default(500),
  maxDelayMs: z.int().min(0).max(600_000).default(30_000),
}).refine((r) => r.maxDelayMs >= r.initialDelayMs, { message: 'maxDelayMs must be at least initialDelayMs', path: ['maxDelayMs'] });

export const PARTNER_CENTER_AUTH = PARTNER_CENTER_AUTH_SCHEMA;

const WEBHOOK = strictObject({
  /** Serve `POST /webhooks/partner-center`. The polling schedule runs either way. */
  enabled: z.boolean().default(false),
  /** Origins the signing certificate may be fetched from. */
  certificateHosts: z.array(origin).min(1).default([...PARTNER_CENTER_CERTIFICATE_HOSTS]),
  /** Organisation (`O=`) the signing certificate must be issued to; null skips the check. */
  organization: text.nullable().default('Microsoft Corporation'),
  /** How long fetching the signing certificate may take. */
  certificateTimeoutMs: z.int().min(100).max(60_000).default(5_000),
});

export const PARTNER_CENTER_SCHEMA = strictObject({
  enabled: z.boolean().default(true),
  apiBase: url.default(PARTNER_CENTER_API_BASE),
  /** Per-request timeout. */
  timeoutMs: z.int().min(1000).max(120_000).default(30_000),
  retry: RETRY.default({ maxAttempts: 5, initialDelayMs: 500, maxDelayMs: 30_000 }),
  /** node-cron expression of the polling pass (pull then push); it runs even with webhooks on. */
  schedule: text.default('*/5 * * * *'),
  /** Each read starts this long before the watermark, so a referral written during a read is not missed. */
  overlapMs: z.int().min(0).max(3_600_000).default(60_000),
  /** The Partner Center API that answers R8's partner lookups (`GET /profiles/mpn?mpnId=`). */
  partnerApiBase: url.default(PARTNER_LOOKUP_API_BASE),
  /** How long a partner lookup's answer (known or unknown) is kept before Partner Center is asked again. */
  partnerLookupTtlMs: z.int().min(0).max(30 * 24 * 3_600_000).default(24 * 3_600_000),
  /** Our publisher name in Partner Center: solutions it publishes are our own. */
  publisher: text.optional(),
  /** Currency of a referral that carries none (ISO 4217). */
  defaultCurrency: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as USD').default('USD'),
  auth: PARTNER_CENTER_AUTH,
  webhook: WEBHOOK.default({
    enabled: false, certificateHosts: [...PARTNER_CENTER_CERTIFICATE_HOSTS], organization: 'Microsoft Corporation', certificateTimeoutMs: 5_000,
  }),
});

export type PartnerCenterConfig = z.output<typeof PARTNER_CENTER_SCHEMA>;
export type { PartnerCenterAuthConfig } from './partner-center-auth';
