/** The notifications cosell-sync sends (R18 and the ops alerts), and who receives each. */

export const NOTIFICATION_KINDS = [
  'new-inbound',
  'expiry-warning',
  'expired',
  'declined',
  'terminal-conflict',
  'grant-expired',
  'connector-failing',
  'dead-letters',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * `inbound`: the configured recipients of inbound referrals; `sender`: the addresses configured for
 * the referral's sender (Microsoft or a partner id), when known; `ops`: the operators.
 */
export type Audience = 'inbound' | 'sender' | 'ops';

export const AUDIENCES: Record<NotificationKind, readonly Audience[]> = {
  'new-inbound': ['inbound'],
  'expiry-warning': ['inbound'],
  expired: ['inbound', 'sender'],
  declined: ['sender'],
  'terminal-conflict': ['ops'],
  'grant-expired': ['ops'],
  'connector-failing': ['ops'],
  'dead-letters': ['ops'],
};

/** The values each kind's template may use. */
export const TEMPLATE_VALUES: Record<NotificationKind, readonly string[]> = {
  'new-inbound': ['opportunityId', 'dealName', 'customerName', 'senderName', 'receivedAt', 'expiresAt'],
  'expiry-warning': ['opportunityId', 'dealName', 'customerName', 'senderName', 'receivedAt', 'expiresAt', 'daysLeft'],
  expired: ['opportunityId', 'dealName', 'customerName', 'senderName', 'receivedAt', 'expiresAt'],
  declined: ['opportunityId', 'dealName', 'customerName', 'senderName', 'reason'],
  'terminal-conflict': ['conflictId', 'opportunityId', 'connector', 'conflictKind', 'field'],
  'grant-expired': ['source', 'detail'],
  'connector-failing': ['connector', 'failedRuns', 'lastError'],
  'dead-letters': ['count', 'threshold'],
};
