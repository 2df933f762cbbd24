/**
 * The co-sell opportunity model (cosell-rules.md). Plain data, no behaviour: the lifecycle
 * lives in lifecycle.ts. Optional values are `null`, never absent, so that records compare,
 * serialise and merge field by field without special cases.
 */

export const STAGES = ['received', 'accepted', 'won', 'lost', 'declined', 'expired'] as const;
export type Stage = (typeof STAGES)[number];

export const TERMINAL_STAGES = ['won', 'lost', 'declined', 'expired'] as const satisfies readonly Stage[];
export type TerminalStage = (typeof TERMINAL_STAGES)[number];

export function isTerminal(stage: Stage): stage is TerminalStage {
  return (TERMINAL_STAGES as readonly Stage[]).includes(stage);
}

export const OPPORTUNITY_TYPES = ['co-sell', 'p2p', 'private'] as const;
export type OpportunityType = (typeof OPPORTUNITY_TYPES)[number];

export const DIRECTIONS = ['inbound', 'outbound'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const SOLUTION_KINDS = ['own', 'microsoft', 'third-party'] as const;
export type SolutionKind = (typeof SOLUTION_KINDS)[number];

/** The "type of help you would like from Microsoft / from the partner" question; `none` is the default (R6). */
export const HELP_TYPES = [
  'none',
  'technical-architecture',
  'cost-pricing',
  'deployment',
  'customer-relationship',
  'product-demo',
  'general',
] as const;
export type HelpType = (typeof HELP_TYPES)[number];

/** ISO 4217 code, three upper-case letters. */
export type CurrencyCode = string;
/** Calendar date, `YYYY-MM-DD`. */
export type DateOnly = string;
/** Instant, ISO 8601 UTC (`2026-01-31T12:00:00.000Z`). */
export type Instant = string;

export type OpportunityId = string & { readonly __brand: 'OpportunityId' };
export const asOpportunityId = (value: string): OpportunityId => value as OpportunityId;

export interface Money {
  amount: number;
  currency: CurrencyCode;
}

export interface Location {
  street: string | null;
  city: string | null;
  region: string | null;
  postalCode: string | null;
  /** Required with the customer name (R2): country code or name. */
  country: string;
}

export interface Contact {
  name: string;
  phone: string | null;
  email: string | null;
}

export interface Customer {
  name: string;
  location: Location;
  /** D-U-N-S number: optional, disambiguates several legal entities at one address (R2). */
  duns: string | null;
  /** Optional, but required before Microsoft can be invited, and only with consent (R2, R10). */
  contact: Contact | null;
  contactConsent: boolean;
}

/** R4: name, phone and email, all three present. */
export interface TeamMember {
  name: string;
  phone: string;
  email: string;
}

export interface Solution {
  id: string;
  name: string;
  kind: SolutionKind;
}

export type Invitee = { kind: 'microsoft' } | { kind: 'partner'; partnerId: string; partnerName: string };

/** `lapsed`: Microsoft sellers let the 14-day window pass without deciding (R9). */
export const INVITATION_STATUSES = ['pending', 'engaged', 'declined', 'lapsed'] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/** One invitation (R8, R9), with its own close date, value, notes, team, solutions and help type. */
export interface Invitation {
  id: string;
  invitee: Invitee;
  closeDate: DateOnly | null;
  value: Money | null;
  notes: string | null;
  team: TeamMember[];
  solutions: Solution[];
  helpType: HelpType;
  status: InvitationStatus;
  invitedAt: Instant;
}

/** R17: data asked for after a win; kept on the won opportunity, never reopens it. */
export interface DealRegistration {
  registrationId: string | null;
  registeredAt: Instant;
  details: Record<string, string>;
}

/** Who sent us an inbound opportunity. */
export type Sender = { kind: 'microsoft'; name: string } | { kind: 'partner'; partnerId: string; name: string };

export interface Opportunity {
  id: OpportunityId;
  direction: Direction;
  type: OpportunityType;
  stage: Stage;
  customer: Customer;
  dealName: string;
  estimatedValue: Money;
  estimatedCloseDate: DateOnly;
  crmId: string | null;
  campaignId: string | null;
  notes: string | null;
  team: TeamMember[];
  solutions: Solution[];
  /** The help asked of Microsoft at creation or by a later invitation; `none` when not asked (R6). */
  microsoftHelpType: HelpType;
  invitations: Invitation[];
  sender: Sender | null;
  favorite: boolean;
  declineReason: string | null;
  declineNotes: string | null;
  dealRegistration: DealRegistration | null;
  createdAt: Instant;
  /** When an inbound opportunity was received: the R13 expiry clock runs from here. */
  receivedAt: Instant | null;
  stageChangedAt: Instant;
}
