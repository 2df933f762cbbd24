/**
 * Kysely table types: the one query layer both dialects share. JSON goes in text columns and
 * instants as ISO-8601 UTC text (they sort lexically), booleans as 0/1 integers, so every query
 * reads the same on SQLite and PostgreSQL.
 */
import type { Generated, Kysely } from 'kysely';

export interface OpportunitiesTable {
  id: string;
  version: number;
  stage: string;
  direction: string;
  type: string;
  favorite: number;
  deal_name: string;
  customer_name: string;
  received_at: string | null;
  stage_changed_at: string;
  created_at: string;
  updated_at: string;
  /** The whole Opportunity as JSON; the columns above are copies for filtering and indexes. */
  data: string;
}

export interface OpportunityEventsTable {
  seq: Generated<number>;
  opportunity_id: string;
  version: number;
  kind: string;
  source_kind: string;
  source_name: string;
  at: string;
  before: string | null;
  after: string;
  details: string | null;
}

export interface LinksTable {
  connector: string;
  external_id: string;
  opportunity_id: string;
  base: string;
  crm_version: string | null;
  opportunity_version: number;
  /** JSON: co-sell path -> CRM value, for fields held under a conflict or refusal. */
  held: string;
  synced_at: string;
}

export interface CursorsTable {
  connector: string;
  cursor: string | null;
  updated_at: string;
}

export interface ConflictsTable {
  id: Generated<number>;
  opportunity_id: string;
  connector: string;
  external_id: string | null;
  kind: string;
  field: string;
  base: string;
  crm_value: string;
  cosell_value: string;
  rule: string;
  outcome: string;
  status: string;
  created_at: string;
  resolved_at: string | null;
  resolution: string | null;
}

export interface OutboxTable {
  id: Generated<number>;
  connector: string;
  opportunity_id: string;
  reason: string;
  attempts: number;
  next_attempt_at: string;
  created_at: string;
}

export interface DeadLettersTable {
  id: Generated<number>;
  connector: string;
  direction: string;
  /** `ext:<externalId>` or `opp:<opportunityId>`: the record a dead letter is about (one open per record). */
  record_key: string;
  external_id: string | null;
  opportunity_id: string | null;
  reason: string;
  code: string | null;
  payload: string;
  attempts: number;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
}

export interface SyncRunsTable {
  run_id: string;
  connector: string;
  started_at: string;
  finished_at: string | null;
  status: string;
  pulled: number;
  applied: number;
  pushed: number;
  conflicts: number;
  dead_letters: number;
  api_calls: number;
  error: string | null;
}

export interface NotificationsTable {
  kind: string;
  subject: string;
  recipient: string;
  status: string;
  claim_token: string | null;
  claimed_at: string | null;
  sent_at: string | null;
  attempts: number;
  last_error: string | null;
  created_at: string;
}

export interface RunControlTable {
  connector: string;
  paused: number;
  changed_by: string;
  changed_at: string;
  reason: string | null;
}

export interface OperatorActionsTable {
  id: Generated<number>;
  connector: string;
  action: string;
  actor: string;
  at: string;
  details: string | null;
}

export interface PartnerLookupsTable {
  partner_id: string;
  known: number;
  name: string | null;
  checked_at: string;
  expires_at: string;
}

export interface GrantsTable {
  name: string;
  grant_id: string;
  account: string | null;
  /** Sealed (encrypted) token cache; never plain text. */
  cache: string;
  signed_in_at: string;
  updated_at: string;
  status: string;
  reason: string | null;
  status_at: string | null;
}

export interface Database {
  opportunities: OpportunitiesTable;
  opportunity_events: OpportunityEventsTable;
  links: LinksTable;
  cursors: CursorsTable;
  conflicts: ConflictsTable;
  outbox: OutboxTable;
  dead_letters: DeadLettersTable;
  sync_runs: SyncRunsTable;
  notifications: NotificationsTable;
  run_control: RunControlTable;
  operator_actions: OperatorActionsTable;
  partner_lookups: PartnerLookupsTable;
  grants: GrantsTable;
}

/** The root Kysely instance or a transaction: repositories take either. */
export type Db = Kysely<Database>;
export type Dialect = 'sqlite' | 'postgres';
