/** Row <-> domain conversions shared by the repositories. */
import type { Opportunity, OpportunityId } from '../core';
import type { OpportunitiesTable, OpportunityEventsTable } from './schema';
import type { ChangeSource, OpportunityEvent, SourceKind, StoredOpportunity } from './types';

export function toJson(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value);
}

export function fromJson<T = unknown>(text: string): T {
  return JSON.parse(text) as T;
}

export const fromJsonOrNull = <T>(text: string | null): T | null => (text === null ? null : fromJson<T>(text));

/** Instants are stored normalised so that text comparison is time comparison. */
export const iso = (value: string | Date): string => new Date(value).toISOString();

export function opportunityColumns(opportunity: Opportunity): Omit<OpportunitiesTable, 'id' | 'version' | 'updated_at'> {
  return {
    stage: opportunity.stage,
    direction: opportunity.direction,
    type: opportunity.type,
    favorite: opportunity.favorite ? 1 : 0,
    deal_name: opportunity.dealName,
    customer_name: opportunity.customer.name,
    received_at: opportunity.receivedAt === null ? null : iso(opportunity.receivedAt),
    stage_changed_at: iso(opportunity.stageChangedAt),
    created_at: iso(opportunity.createdAt),
    data: toJson(opportunity),
  };
}

/** The opportunity is parsed when first read: a check of its version alone never needs it. */
export function toStoredOpportunity(row: OpportunitiesTable): StoredOpportunity {
  let opportunity: Opportunity | undefined;
  return {
    get opportunity(): Opportunity {
      opportunity ??= fromJson<Opportunity>(row.data);
      return opportunity;
    },
    set opportunity(value: Opportunity) {
      opportunity = value;
    },
    version: Number(row.version),
    updatedAt: row.updated_at,
  };
}

type EventRow = Omit<OpportunityEventsTable, 'seq'> & { seq: number };

export function toOpportunityEvent(row: EventRow): OpportunityEvent {
  const source: ChangeSource = { kind: row.source_kind as SourceKind, name: row.source_name };
  return {
    seq: Number(row.seq),
    opportunityId: row.opportunity_id as OpportunityId,
    version: Number(row.version),
    kind: row.kind,
    source,
    at: row.at,
    before: fromJsonOrNull<Opportunity>(row.before),
    after: fromJson<Opportunity>(row.after),
    details: fromJsonOrNull<Record<string, unknown>>(row.details),
  };
}

/** A unique or primary-key violation, as reported by pg (SQLSTATE 23505) or better-sqlite3. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
