/**
 * What the sync engine needs of a compiled mapping (src/mapping compiles admins' YAML into this),
 * and of its connector instances.
 */
import type { InboundRule } from './inbound-routing';
import type { CosellField } from '../core/fields';
import type { Stage } from '../core/model';
import type { CrmConnector } from '../ports/connector';
import type { RegistrationRead } from '../mapping/registration';
import type { FieldPolicy } from './merge/fields';
import type { IllegalMovePolicy } from './merge/stage';

export interface SyncMapping {
  crmFields: readonly string[];
  externalIdField: string;
  fields: ReadonlyMap<CosellField, FieldPolicy & { crmFields: readonly string[] }>;
  /** The stage (with the decline reason) is mapped apart from `fields` and moves through the core. */
  stage: { direction: FieldPolicy['direction']; crmFields: readonly string[] };
  toCosell(record: Record<string, unknown>): {
    values: Partial<Record<CosellField, unknown>>;
    wantedStage: Stage | null;
    declineReason: string | null;
    errors: ReadonlyArray<{ message: string }>;
  };
  toCrm(values: Partial<Record<CosellField, unknown>>, current?: Record<string, unknown> | null): Record<string, unknown>;
  statusFields(status: { message: string | null; conflict: boolean }): Record<string, unknown>;
  /** Whether the CRM's value is what writing the co-sell value leaves there (rounded, converted, cut): an echo. */
  sameInCrm?(field: CosellField, cosellValue: unknown, crmValue: unknown): boolean;
  /** R17: the deal registration a CRM record carries, when the mapping maps one. */
  toRegistration?(record: Record<string, unknown>): RegistrationRead;
  participationFields: Record<string, unknown>;
}

/** Which co-sell opportunities a CRM receives when they were not created from it. */
export type PublishPolicy = 'all' | 'inbound' | 'none';

export interface ConnectorInstance {
  name: string;
  connector: CrmConnector;
  mapping: SyncMapping;
  publish: PublishPolicy;
  /** Which inbound referrals this instance takes (default all). */
  inbound?: InboundRule;
  /** Records pushed per writeBatch call (the connector splits further to its API's limit). */
  pushBatchSize: number;
}

export interface ReconciliationPolicy {
  /** S1-S3: `flag` tells the CRM and keeps its value; `enforce` sets the CRM to the co-sell outcome. */
  terminalConflicts: 'flag' | 'enforce';
  illegalMoves: IllegalMovePolicy;
}
