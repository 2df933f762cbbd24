/**
 * Mail templates: a subject and a body per kind with `{{value}}` placeholders. The defaults below
 * apply to any kind the configuration does not override; a placeholder a kind does not offer is a
 * configuration error (checked in settings.ts), so a typo never reaches a mailbox as `{{dealNme}}`.
 */
import type { MailMessage } from '../ports/mail';
import { TEMPLATE_VALUES, type NotificationKind } from './kinds';

export interface MailTemplate {
  subject: string;
  body: string;
}

export const DEFAULT_TEMPLATES = {
  'new-inbound': {
    subject: 'New co-sell referral: {{dealName}}',
    body: 'A new referral from {{senderName}} arrived for {{customerName}}: {{dealName}}.\nAccept or decline it before {{expiresAt}}.\nReference: {{opportunityId}}',
  },
  'expiry-warning': {
    subject: 'Referral expires in {{daysLeft}} day(s): {{dealName}}',
    body: 'The referral {{dealName}} for {{customerName}} from {{senderName}} expires at {{expiresAt}} unless it is accepted or declined.\nReference: {{opportunityId}}',
  },
  expired: {
    subject: 'Referral expired: {{dealName}}',
    body: 'The referral {{dealName}} for {{customerName}}, received {{receivedAt}}, expired at {{expiresAt}} without an answer.\nReference: {{opportunityId}}',
  },
  declined: {
    subject: 'Referral declined: {{dealName}}',
    body: 'The referral {{dealName}} for {{customerName}} was declined.\nReason: {{reason}}\nReference: {{opportunityId}}',
  },
  'terminal-conflict': {
    subject: 'cosell-sync: terminal conflict on {{connector}}',
    body: 'Conflict {{conflictId}} ({{conflictKind}}, field {{field}}) on opportunity {{opportunityId}} needs review: `cosell-sync conflicts show {{conflictId}}`.',
  },
  'grant-expired': {
    subject: 'cosell-sync: {{source}} sign-in expired',
    body: 'The sign-in used for {{source}} expired or was revoked: {{detail}}\nSign in again to resume the sync.',
  },
  'connector-failing': {
    subject: 'cosell-sync: {{connector}} failed {{failedRuns}} runs in a row',
    body: 'The last {{failedRuns}} runs of {{connector}} failed. Last error: {{lastError}}',
  },
  'dead-letters': {
    subject: 'cosell-sync: {{count}} dead letters waiting',
    body: '{{count}} records are in the dead-letter table (alert threshold {{threshold}}): `cosell-sync dead-letters list`.',
  },
} as const satisfies Record<NotificationKind, MailTemplate>;

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** Placeholders of `text` that `kind` does not offer. */
export function unknownPlaceholders(kind: NotificationKind, text: string): string[] {
  const offered = new Set(TEMPLATE_VALUES[kind]);
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string).filter((name) => !offered.has(name));
}

export function fill(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (_, name: string) => values[name] ?? '');
}

export function renderMail(params: {
  kind: NotificationKind;
  recipient: string;
  values: Readonly<Record<string, string>>;
  templates: Partial<Record<NotificationKind, MailTemplate>>;
}): MailMessage {
  const template = params.templates[params.kind] ?? DEFAULT_TEMPLATES[params.kind];
  return { to: [params.recipient], subject: fill(template.subject, params.values), body: fill(template.body, params.values), contentType: 'Text' };
}
