/**
 * The sync status and conflict flag shown to the CRM user, through the fields the mapping names.
 * Written only when they differ from what the CRM holds, so a status write never echoes forever.
 */
import type { Opportunity } from '../core/model';
import { isTerminal } from '../core/model';
import type { SyncMapping } from './ports';
import { sameValue } from './values';

export const STATUS_KEY = '$status';
/** The base key remembering which co-sell id the CRM record carries in its external-id field. */
export const ID_KEY = '$id';
/** The base key of the CRM's decline reason (mapped with the stage, not as a field). */
export const REASON_KEY = 'declineReason';
export const SYNCED = 'Synced';
/**
 * An expired referral is written to the CRM as lost (no CRM stage says expired): the status says
 * what happened, so a CRM user can tell it from a lost deal.
 */
export const EXPIRED = 'Expired in co-sell: not accepted or declined within 14 days (R13); closed as lost here';

export interface StatusWanted {
  message: string | null;
  conflict: boolean;
}

/** The CRM's current values of the status fields. */
export function readStatus(mapping: SyncMapping, fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(mapping.statusFields({ message: 'x', conflict: true }))) out[key] = fields[key] ?? null;
  return out;
}

/** Status fields to write, or an empty object when the CRM already shows `wanted`. */
export function statusWrites(mapping: Pick<SyncMapping, 'statusFields'>, current: unknown, wanted: StatusWanted): Record<string, unknown> {
  const target = mapping.statusFields(wanted);
  const seen = (current ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(target)) if (!sameValue(seen[key], value)) out[key] = value;
  return out;
}

/** What the CRM user should see for a linked record. */
export function linkStatus(opp: Opportunity, held: Record<string, unknown>): StatusWanted {
  const fields = Object.keys(held);
  if (fields.length === 0) return { message: opp.stage === 'expired' ? EXPIRED : SYNCED, conflict: false };
  if (isTerminal(opp.stage)) {
    return {
      message: truncate(`Conflict: co-sell opportunity is ${opp.stage} (final); CRM changes to ${fields.join(', ')} not applied (S1)`),
      conflict: true,
    };
  }
  return { message: truncate(`Conflict on ${fields.join(', ')}: awaiting review (cosell-sync conflicts list)`), conflict: true };
}

export function truncate(text: string, max = 255): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
