/**
 * The one port every CRM implements (architecture.md, Connectors). A connector knows its CRM's
 * protocol and nothing of the co-sell rules: it reads changes since a cursor, writes batches with
 * per-record results, and describes its fields.
 */
import type { ConnectorError } from '../errors';

export type ConnectorKind = 'salesforce' | 'dynamics';

/** A CRM record as the CRM spells it: provider field names, provider values (JSON). */
export interface CrmRecord {
  id: string;
  fields: Record<string, unknown>;
  /** The CRM's change marker for this version (SystemModstamp, or Dataverse's ETag/versionnumber). */
  version: string;
  /**
   * When the CRM last modified the record (ISO-8601): Salesforce SystemModstamp or LastModifiedDate,
   * Dataverse modifiedon. Not the version token (a Dataverse versionnumber is no time). Null or
   * absent when the CRM did not send it.
   */
  modifiedAt?: string | null;
}

/** One page of changes. The sync engine applies it and stores `cursor` in one transaction. */
export interface ChangePage {
  records: CrmRecord[];
  deletedIds: string[];
  /** Opaque; give it back to readChanges to resume after this page. */
  cursor: string;
  /** True when this page belongs to a full pass (first load, or a cursor the CRM no longer honours). */
  fullResync: boolean;
}

export interface ReadChangesParams {
  /** null: read everything (initial load). */
  cursor: string | null;
  /** Provider field names to read (the mapped fields only). */
  fields: readonly string[];
  signal?: AbortSignal;
}

export type WriteOperation =
  | {
      kind: 'create';
      /** Idempotency key written to the external-id field / alternate key: a retry never duplicates. */
      externalKey: string;
      fields: Record<string, unknown>;
    }
  | {
      kind: 'update';
      id: string;
      fields: Record<string, unknown>;
      /** The version last read; a record changed since is reported as `stale`, not overwritten. */
      expectedVersion: string | null;
    };

export type WriteResult =
  | { ok: true; id: string; created: boolean; version: string | null }
  | {
      ok: false;
      id: string | null;
      stale: boolean;
      error: ConnectorError;
      /**
       * The call that carried this write failed as a whole (a rejected session, a throttled or
       * failed request after its retries, an unreadable answer): the CRM said nothing about this
       * record, so the write is tried again later, never made a dead letter.
       */
      callFailed?: boolean;
    };

export interface FieldMetadata {
  name: string;
  label: string;
  /** Normalised type: string, textarea, double, currency, int, boolean, date, datetime, picklist, reference, id, other. */
  type: string;
  updateable: boolean;
  createable: boolean;
  nillable: boolean;
  picklistValues: string[] | null;
  referenceTo: string[] | null;
  /** Decimal places a number or money field keeps (Salesforce describe `scale`, Dataverse `Precision`); null or absent when unknown. */
  scale?: number | null;
}

export interface ObjectMetadata {
  name: string;
  fields: FieldMetadata[];
}

export interface ApiUsage {
  /** Calls this connector made since it started. */
  calls: number;
  /** Quota as the CRM last reported it, when it reports it. */
  used: number | null;
  limit: number | null;
}

export interface CrmConnector {
  readonly kind: ConnectorKind;
  readonly name: string;
  /**
   * The attribute holding the record's own id (Salesforce `Id`, Dataverse `opportunityid`): a field
   * mapped from it reads back, after a create, as the id the create returned. Absent: unknown.
   */
  readonly idField?: string;
  readChanges(params: ReadChangesParams): AsyncIterable<ChangePage>;
  /** Current values of the given records (re-read before a merge). Missing ids are left out. */
  readRecords(ids: readonly string[], fields: readonly string[]): Promise<CrmRecord[]>;
  /** Results in the order of the operations; one bad record never sinks the batch. */
  writeBatch(ops: readonly WriteOperation[]): Promise<WriteResult[]>;
  describe(): Promise<ObjectMetadata>;
  /**
   * The read cursor once these records were written by us: a connector that skips records it
   * already read (Salesforce's overlap window) forgets them, so that a user's edit back to the
   * value it read, made after our write within the same stamp, is still read. Absent: nothing to forget.
   */
  forgetRead?(cursor: string, ids: readonly string[]): string;
  /**
   * The CRM's exchange rates when it keeps a currency table (Dataverse transactioncurrency
   * exchangerate; Salesforce CurrencyType in a multi-currency org): units of each ISO code per
   * one unit of `base`. Null when it keeps none.
   */
  currencyRates?(): Promise<{ base: string; rates: Record<string, number> } | null>;
  apiUsage(): ApiUsage;
  close(): Promise<void>;
}

/** Which CRM records take part in the sync: every condition must hold (AND). Built into SOQL/OData only through escaping. */
export type FilterValue = string | number | boolean | null;
export interface FilterCondition {
  field: string;
  op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'in';
  value: FilterValue | FilterValue[];
}
export interface ParticipationFilter {
  all: FilterCondition[];
}
