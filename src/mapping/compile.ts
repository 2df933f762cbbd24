/**
 * A parsed mapping compiled into pure functions CRM record <-> co-sell values (architecture.md,
 * Mapping). No I/O: the sync engine reads and writes, these only translate.
 */
import type { CosellField } from '../core/fields';
import type { Stage } from '../core/model';
import { buildCodec, NO_CRM_FACTS, type CrmFacts, type FieldCodec } from './codec';
import { isValueRefused, ValueRefusedError } from './refusal';
import { getCrmValue, reads, writes } from './crm-names';
import type { FieldOwner, MappingDirection, MappingFileSpec } from './schema';
import { readRegistration, type RegistrationRead } from './registration';
import { readStage, writeStage } from './stage';
import { sameValue } from '../sync/values';

export interface MappingIssue {
  field: CosellField;
  crmField: string;
  message: string;
}

export interface CompiledField {
  direction: MappingDirection;
  owner: FieldOwner;
  crmFields: string[];
}

export interface CompiledMapping {
  kind: 'salesforce' | 'dynamics';
  object: string;
  /** Provider fields to read ($select / SELECT list). */
  crmFields: string[];
  externalIdField: string;
  fields: ReadonlyMap<CosellField, CompiledField>;
  /** The stage (and decline reason): mapped apart from `fields`, applied through the core. */
  stage: { direction: MappingDirection; crmFields: string[] };
  toCosell(record: Record<string, unknown>): {
    values: Partial<Record<CosellField, unknown>>;
    wantedStage: Stage | null;
    declineReason: string | null;
    errors: MappingIssue[];
  };
  /** Throws ValueRefusedError (naming the field) when the CRM cannot hold a value. */
  toCrm(values: Partial<Record<CosellField, unknown>>, current?: Record<string, unknown> | null): Record<string, unknown>;
  /**
   * Whether the CRM holding `crmValue` (as read) is what writing `cosellValue` leaves there: the
   * CRM's form of a value (rounded, converted, cut) read back is an echo, not an edit.
   */
  sameInCrm(field: CosellField, cosellValue: unknown, crmValue: unknown): boolean;
  /** R17: the deal registration the CRM record carries (null: none, or no registration mapped). */
  toRegistration(record: Record<string, unknown>): RegistrationRead;
  /** The same mapping with what the CRM says of its fields (scales) and currencies (rates). */
  withCrmFacts(facts: CrmFacts): CompiledMapping;
  statusFields(status: { message: string | null; conflict: boolean }): Record<string, unknown>;
  participationFields: Record<string, unknown>;
}

export interface CompileOptions {
  /** Owner of fields whose mapping names none (the configuration's reconciliation.defaultOwner). */
  defaultOwner?: FieldOwner;
  /** From the CRM's describe metadata and currency table, once known. */
  crm?: CrmFacts;
}

export function compileMapping(spec: MappingFileSpec, options: CompileOptions = {}): CompiledMapping {
  const defaultOwner = options.defaultOwner ?? 'crm';
  const codecs = new Map<CosellField, { codec: FieldCodec; direction: MappingDirection }>();
  const fields = new Map<CosellField, CompiledField>();
  for (const [name, field] of spec.fields) {
    const cosell = name as CosellField;
    const codec = buildCodec(spec.kind, cosell, field, options.crm ?? NO_CRM_FACTS);
    codecs.set(cosell, { codec, direction: field.direction });
    fields.set(cosell, { direction: field.direction, owner: field.owner ?? defaultOwner, crmFields: codec.select });
  }
  const stage = spec.stage;
  const stageFields = [...stage.fields, ...(stage.declineReason ? [stage.declineReason.field] : [])];
  const statusKeys = [spec.status.messageField, spec.status.conflictField].filter((f): f is string => f !== undefined);
  const registrationFields = spec.registration === undefined ? [] : [spec.registration.idField, ...(spec.registration.detailsField ? [spec.registration.detailsField] : [])];
  const crmFields = unique([
    spec.externalIdField,
    ...registrationFields,
    ...[...codecs.values()].flatMap((c) => c.codec.select),
    ...stageFields,
    ...statusKeys,
    ...Object.keys(spec.participationFields),
  ]);

  const toCosell: CompiledMapping['toCosell'] = (record) => {
    const values: Partial<Record<CosellField, unknown>> = {};
    const errors: MappingIssue[] = [];
    for (const [field, { codec, direction }] of codecs) {
      if (!reads(direction)) continue;
      const result = codec.read(record);
      if (result.ok) values[field] = result.value;
      else errors.push({ field, crmField: result.crmField, message: result.message });
    }
    if (!reads(stage.direction)) return { values, wantedStage: null, declineReason: null, errors };
    const read = readStage(stage, record);
    for (const message of read.errors) errors.push({ field: 'stage', crmField: stage.fields.join('+'), message });
    return { values, wantedStage: read.wantedStage, declineReason: read.declineReason, errors };
  };

  const toCrm: CompiledMapping['toCrm'] = (values, current) => {
    const out: Record<string, unknown> = {};
    for (const [field, { codec, direction }] of codecs) {
      if (!writes(direction) || !(field in values)) continue;
      try {
        Object.assign(out, codec.write(values[field]));
      } catch (error) {
        if (!isValueRefused(error)) throw error;
        throw new ValueRefusedError({ field, crmField: error.crmField, message: `${field}: ${error.message}` });
      }
    }
    if (writes(stage.direction)) {
      const wanted = values.stage;
      if (typeof wanted === 'string') Object.assign(out, writeStage(stage, wanted as Stage, current));
      const reason = stage.declineReason;
      if (reason !== undefined && 'declineReason' in values) {
        const v = values.declineReason;
        const crm = typeof v === 'string' ? (reason.values[v] ?? reason.crmDefault) : null;
        const unchanged = current !== null && current !== undefined && crm !== undefined && String(getCrmValue(current, reason.field) ?? null) === String(crm);
        if (crm !== undefined && !unchanged) out[reason.field] = crm;
      }
    }
    return out;
  };

  const max = spec.status.messageMaxLength;
  const statusFields: CompiledMapping['statusFields'] = ({ message, conflict }) => {
    const out: Record<string, unknown> = {};
    if (spec.status.messageField !== undefined) out[spec.status.messageField] = message === null ? null : truncate(message, max);
    if (spec.status.conflictField !== undefined) out[spec.status.conflictField] = conflict;
    return out;
  };

  const sameInCrm: CompiledMapping['sameInCrm'] = (field, cosellValue, crmValue) => {
    const entry = codecs.get(field);
    if (entry === undefined) return sameValue(cosellValue, crmValue);
    let written: Record<string, unknown>;
    try {
      written = entry.codec.write(cosellValue);
    } catch (error) {
      if (isValueRefused(error)) return false;
      throw error;
    }
    const read = entry.codec.read(written);
    return read.ok && sameValue(read.value, crmValue);
  };

  return {
    kind: spec.kind,
    object: spec.object,
    crmFields,
    externalIdField: spec.externalIdField,
    fields,
    stage: { direction: stage.direction, crmFields: stageFields },
    toCosell,
    toCrm,
    statusFields,
    participationFields: { ...spec.participationFields },
    sameInCrm,
    toRegistration: (record) => readRegistration(spec.registration, record),
    withCrmFacts: (facts) => compileMapping(spec, { ...options, crm: facts }),
  };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}
