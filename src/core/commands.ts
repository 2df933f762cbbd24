import type {
  Customer,
  DateOnly,
  DealRegistration,
  HelpType,
  InvitationStatus,
  Invitee,
  Money,
  OpportunityId,
  OpportunityType,
  Sender,
  Solution,
  TeamMember,
} from './model';

/** What an invitation asks for when it is made (R8). */
export interface InvitationInput {
  invitee: Invitee;
  closeDate: DateOnly | null;
  value: Money | null;
  notes: string | null;
  team: TeamMember[];
  solutions: Solution[];
  helpType: HelpType;
}

export interface OutboundInput {
  customer: Customer;
  dealName: string;
  estimatedValue: Money;
  estimatedCloseDate: DateOnly;
  crmId: string | null;
  campaignId: string | null;
  notes: string | null;
  team: TeamMember[];
  solutions: Solution[];
  /** `none` keeps Microsoft out (R6). */
  microsoftHelpType: HelpType;
  /** Partners invited at creation (R6, R8). */
  partnerInvitations: InvitationInput[];
}

export interface InboundInput {
  sender: Sender;
  type: Exclude<OpportunityType, 'private'>;
  customer: Customer;
  dealName: string;
  estimatedValue: Money;
  estimatedCloseDate: DateOnly;
  notes: string | null;
  team: TeamMember[];
  solutions: Solution[];
  microsoftHelpType: HelpType;
}

/** Fields editable while a deal is not terminal (R3, R4, R5, R14). */
export interface EditableFields {
  customer: Customer;
  dealName: string;
  estimatedValue: Money;
  estimatedCloseDate: DateOnly;
  crmId: string | null;
  campaignId: string | null;
  notes: string | null;
  team: TeamMember[];
  solutions: Solution[];
}
export type EditChanges = Partial<EditableFields>;

/** What accepting a received referral may set (R12). */
export type AcceptChanges = Partial<
  Pick<EditableFields, 'estimatedValue' | 'estimatedCloseDate' | 'notes' | 'crmId' | 'campaignId' | 'team'>
>;

export type Command =
  | { kind: 'createOutbound'; id: OpportunityId; input: OutboundInput }
  | { kind: 'receiveInbound'; id: OpportunityId; input: InboundInput }
  | { kind: 'accept'; dealName: string; changes: AcceptChanges }
  | { kind: 'decline'; reason: string; notes: string | null }
  | { kind: 'edit'; changes: EditChanges }
  | { kind: 'inviteMicrosoft'; helpType: HelpType; notes: string | null }
  | { kind: 'invitePartner'; invitation: InvitationInput; invitationId: string }
  | { kind: 'win'; dealRegistration: Omit<DealRegistration, 'registeredAt'> | null }
  | { kind: 'lose'; notes: string | null }
  /** R9: what Microsoft sellers decided about the invitation, as Partner Center reports it. */
  | { kind: 'microsoftResponse'; status: Exclude<InvitationStatus, 'pending'> }
  | { kind: 'expire' }
  | { kind: 'registerDeal'; registration: Omit<DealRegistration, 'registeredAt'> }
  | { kind: 'favorite' }
  | { kind: 'unfavorite' };

export type CommandKind = Command['kind'];
