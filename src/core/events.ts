/** What a transition reports. Events that must reach people carry a `notify` marker (R18). */
import type { Invitee, Opportunity, OpportunityId, OpportunityType, Sender } from './model';

/** R18: who is told. New inbound referrals go to our contacts; declines and expiries to the sender. */
export type Notify =
  | { reason: 'new-inbound'; recipients: 'our-contacts' }
  | { reason: 'declined' | 'expired'; recipients: 'sender'; sender: Sender | null };

interface EventBase {
  opportunityId: OpportunityId;
  /** ISO instant of the transition. */
  at: string;
}

export type DomainEvent = EventBase &
  (
    | { type: 'created'; opportunityType: OpportunityType }
    | { type: 'received'; notify: Notify }
    | { type: 'accepted' }
    | { type: 'declined'; reason: string; notify: Notify }
    | { type: 'edited'; fields: string[] }
    | {
        type: 'invited';
        invitationId: string;
        invitee: Invitee;
        previousType: OpportunityType;
        opportunityType: OpportunityType;
      }
    | { type: 'won' }
    | { type: 'lost' }
    | { type: 'expired'; notify: Notify }
    | { type: 'favorited' }
    | { type: 'unfavorited' }
    | { type: 'deal-registered'; registrationId: string | null }
    | { type: 'microsoft-responded'; invitationId: string; status: string }
  );

export type DomainEventType = DomainEvent['type'];

export function hasNotification(event: DomainEvent): event is DomainEvent & { notify: Notify } {
  return 'notify' in event;
}

/** The outcome of one accepted command: the new opportunity and what happened to it. */
export interface Transition {
  opportunity: Opportunity;
  events: DomainEvent[];
}
