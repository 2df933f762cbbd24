/**
 * The `notifications` block of the daemon configuration. Nothing is sent unless `enabled` is true,
 * a `mail` service is configured and the kind has recipients: an empty audience sends nothing.
 */
import { z } from 'zod';
import { strictObject } from '../config/zod-issues';
import { NOTIFICATION_KINDS, type NotificationKind } from './kinds';
import { unknownPlaceholders, type MailTemplate } from './templates';

const text = z.string().min(1);
const address = z.email({ error: 'expected an email address' });

const GRAPH_MAIL = strictObject({
  kind: z.literal('graph'),
  tenantId: text,
  clientId: text,
  clientSecret: text,
  /** Entra ID authority; default https://login.microsoftonline.com/<tenantId>. */
  authority: z.url({ protocol: /^https?$/ }).optional(),
  /** Microsoft Graph root; default https://graph.microsoft.com. */
  graphUrl: z.url({ protocol: /^https?$/ }).default('https://graph.microsoft.com'),
  /** The mailbox that sends: a user id or user principal name (`/users/{id}/sendMail`). */
  sender: text,
  timeoutMs: z.int().min(1000).max(120_000).default(30_000),
  maxRetries: z.int().min(0).max(10).default(3),
  saveToSentItems: z.boolean().default(true),
});

const template = strictObject({ subject: text, body: text });

const templates = z
  .partialRecord(z.enum(NOTIFICATION_KINDS), template)
  .default({})
  .superRefine((value, ctx) => {
    for (const [kind, t] of Object.entries(value) as Array<[NotificationKind, MailTemplate]>) {
      for (const part of ['subject', 'body'] as const) {
        const unknown = unknownPlaceholders(kind, t[part]);
        if (unknown.length > 0) ctx.addIssue({ code: 'custom', path: [kind, part], message: `unknown placeholder ${unknown.map((u) => `{{${u}}}`).join(', ')}` });
      }
    }
  });

export const NOTIFICATIONS_SCHEMA = strictObject({
  enabled: z.boolean().default(false),
  mail: GRAPH_MAIL.optional(),
  recipients: strictObject({
    /** New inbound referrals, expiry warnings and expiries. */
    inbound: z.array(address).default([]),
    /** Terminal conflicts, expired grants, failing connectors, dead letters. */
    ops: z.array(address).default([]),
    /** Declines and expiries to their sender, by sender: `microsoft` or a partner id. */
    senders: z.record(text, z.array(address)).default({}),
  }).default({ inbound: [], ops: [], senders: {} }),
  /** Warn this many days before a received referral expires (R13); 0 disables the warning. */
  expiryWarningDays: z.int().min(0).max(13).default(3),
  /** Alert ops when a connector has failed this many runs in a row. */
  connectorFailures: z.int().min(1).default(3),
  /** Alert ops when this many dead letters are waiting. */
  deadLetterThreshold: z.int().min(1).default(25),
  /** Events older than this are not notified (enabling notifications on an old store sends no backlog). */
  lookbackHours: z.int().min(1).default(24),
  templates,
}).refine((n) => !n.enabled || n.mail !== undefined, { message: 'notifications.enabled needs a mail block', path: ['mail'] });

export type NotificationSettings = z.output<typeof NOTIFICATIONS_SCHEMA>;
export type GraphMailSettings = z.output<typeof GRAPH_MAIL>;

export const NO_NOTIFICATIONS: NotificationSettings = NOTIFICATIONS_SCHEMA.parse({});
