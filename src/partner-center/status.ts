/**
 * Partner Center's referral status and substatus: the legal pairs and the allowed status moves
 * ("Status & Substatus transition states", create-a-referral / update-a-referral), and their
 * correspondence with the co-sell stages. Values outside the documented sets are kept as text by
 * the callers; these functions only answer for the documented ones.
 */
import type { Stage } from '../core/model';

export const REFERRAL_STATUSES = ['None', 'New', 'Active', 'Closed'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

export const REFERRAL_SUBSTATUSES = ['None', 'Pending', 'Received', 'Accepted', 'Won', 'Lost', 'Declined', 'Expired'] as const;
export type ReferralSubstatus = (typeof REFERRAL_SUBSTATUSES)[number];

/** Substatuses each status allows. */
export const LEGAL_SUBSTATUSES = {
  None: [],
  New: ['Pending', 'Received'],
  Active: ['Accepted'],
  Closed: ['Won', 'Lost', 'Declined', 'Expired'],
} as const satisfies Record<ReferralStatus, readonly ReferralSubstatus[]>;

/** Status moves a PATCH may make. */
export const STATUS_MOVES = {
  None: [],
  New: ['New', 'Active', 'Closed'],
  Active: ['Active', 'Closed'],
  Closed: ['Closed'],
} as const satisfies Record<ReferralStatus, readonly ReferralStatus[]>;

export const isReferralStatus = (v: unknown): v is ReferralStatus => (REFERRAL_STATUSES as readonly unknown[]).includes(v);
export const isReferralSubstatus = (v: unknown): v is ReferralSubstatus => (REFERRAL_SUBSTATUSES as readonly unknown[]).includes(v);

export function isLegalPair(status: ReferralStatus, substatus: ReferralSubstatus): boolean {
  return (LEGAL_SUBSTATUSES[status] as readonly ReferralSubstatus[]).includes(substatus);
}

export function canMoveStatus(from: ReferralStatus, to: ReferralStatus): boolean {
  return (STATUS_MOVES[from] as readonly ReferralStatus[]).includes(to);
}

/** Won, Lost, Declined and Expired accept no further edit. */
export function isTerminalReferral(referral: { status?: string | null; substatus?: string | null }): boolean {
  return referral.status === 'Closed' || ['Won', 'Lost', 'Declined', 'Expired'].includes(referral.substatus ?? '');
}

const STAGE_TO_STATUS = {
  received: { status: 'New', substatus: 'Received' },
  accepted: { status: 'Active', substatus: 'Accepted' },
  won: { status: 'Closed', substatus: 'Won' },
  lost: { status: 'Closed', substatus: 'Lost' },
  declined: { status: 'Closed', substatus: 'Declined' },
  expired: { status: 'Closed', substatus: 'Expired' },
} as const satisfies Record<Stage, { status: ReferralStatus; substatus: ReferralSubstatus }>;

export function statusOfStage(stage: Stage): { status: ReferralStatus; substatus: ReferralSubstatus } {
  return STAGE_TO_STATUS[stage];
}

/** The co-sell stage a documented, legal pair stands for; null for anything else (the caller logs and keeps it). */
export function stageOfStatus(status: string | null | undefined, substatus: string | null | undefined): Stage | null {
  if (!isReferralStatus(status) || !isReferralSubstatus(substatus) || !isLegalPair(status, substatus)) return null;
  switch (substatus) {
    case 'Pending':
    case 'Received':
      return 'received';
    case 'Accepted':
      return 'accepted';
    case 'Won':
      return 'won';
    case 'Lost':
      return 'lost';
    case 'Declined':
      return 'declined';
    case 'Expired':
      return 'expired';
    default:
      return null;
  }
}
