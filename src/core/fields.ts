/**
 * The co-sell fields a mapping can name, as flat paths over the Opportunity, with their kind.
 * Mappings, the three-way merge and conflicts all speak in these paths.
 */
import { ENGAGEMENT_STATES, engagementWindow } from './engagement-window';
import type { Opportunity } from './model';

export type CosellFieldKind =
  | 'string'
  | 'number'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'money'
  | 'enum'
  | 'team'
  | 'solutions';

export interface CosellFieldSpec {
  kind: CosellFieldKind;
  /** Required to create an outbound opportunity (R2-R5). */
  requiredForCreate: boolean;
  /** Values an `enum` field takes. */
  values?: readonly string[];
  /** Set by the lifecycle, not by an edit: CRM changes go through core commands. */
  lifecycle?: boolean;
}

export const COSELL_FIELDS = {
  id: { kind: 'string', requiredForCreate: false, lifecycle: true },
  dealName: { kind: 'string', requiredForCreate: true },
  estimatedValue: { kind: 'money', requiredForCreate: true },
  estimatedCloseDate: { kind: 'date', requiredForCreate: true },
  crmId: { kind: 'string', requiredForCreate: false },
  campaignId: { kind: 'string', requiredForCreate: false },
  notes: { kind: 'string', requiredForCreate: false },
  'customer.name': { kind: 'string', requiredForCreate: true },
  'customer.location.street': { kind: 'string', requiredForCreate: false },
  'customer.location.city': { kind: 'string', requiredForCreate: false },
  'customer.location.region': { kind: 'string', requiredForCreate: false },
  'customer.location.postalCode': { kind: 'string', requiredForCreate: false },
  'customer.location.country': { kind: 'string', requiredForCreate: true },
  'customer.duns': { kind: 'string', requiredForCreate: false },
  'customer.contact.name': { kind: 'string', requiredForCreate: false },
  'customer.contact.email': { kind: 'string', requiredForCreate: false },
  'customer.contact.phone': { kind: 'string', requiredForCreate: false },
  'customer.contactConsent': { kind: 'boolean', requiredForCreate: false },
  team: { kind: 'team', requiredForCreate: true },
  solutions: { kind: 'solutions', requiredForCreate: true },
  microsoftHelpType: {
    kind: 'enum',
    requiredForCreate: false,
    values: ['none', 'technical-architecture', 'cost-pricing', 'deployment', 'customer-relationship', 'product-demo', 'general'],
  },
  type: { kind: 'enum', requiredForCreate: false, values: ['co-sell', 'p2p', 'private'], lifecycle: true },
  direction: { kind: 'enum', requiredForCreate: false, values: ['inbound', 'outbound'], lifecycle: true },
  stage: {
    kind: 'enum',
    requiredForCreate: false,
    values: ['received', 'accepted', 'won', 'lost', 'declined', 'expired'],
    lifecycle: true,
  },
  declineReason: { kind: 'string', requiredForCreate: false, lifecycle: true },
  // R9, read from the deal's invitation to Microsoft (engagement-window.ts); shown to CRM users only.
  'microsoftEngagement.state': { kind: 'enum', requiredForCreate: false, values: ENGAGEMENT_STATES, lifecycle: true },
  'microsoftEngagement.dueAt': { kind: 'datetime', requiredForCreate: false, lifecycle: true },
} as const satisfies Record<string, CosellFieldSpec>;

export type CosellField = keyof typeof COSELL_FIELDS;
export const COSELL_FIELD_NAMES = Object.keys(COSELL_FIELDS) as CosellField[];

export function isCosellField(name: string): name is CosellField {
  return Object.prototype.hasOwnProperty.call(COSELL_FIELDS, name);
}

/** The value at a flat path; a missing contact gives null for its parts. */
export function readField(opp: Opportunity, field: CosellField): unknown {
  if (field === 'microsoftEngagement.state') return engagementWindow(opp)?.state ?? null;
  if (field === 'microsoftEngagement.dueAt') return engagementWindow(opp)?.dueAt ?? null;
  let value: unknown = opp;
  for (const part of field.split('.')) {
    if (value === null || typeof value !== 'object') return null;
    value = (value as Record<string, unknown>)[part];
  }
  return value === undefined ? null : value;
}

/** Every mapped field's value, as the merge compares them. */
export function readFields(opp: Opportunity, fields: readonly CosellField[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) out[field] = readField(opp, field);
  return out;
}
