/**
 * The mapping file schema (zod 4, strict: unknown keys are errors). A mapping names, for each co-sell
 * field (the flat paths of src/core/fields.ts), the CRM field(s), the direction, the owner when both
 * sides changed it, and the conversion. The stage has its own section, both ways.
 */
import { z } from 'zod';
import { knownKeys, strictObject } from '../config/zod-issues';
import { STAGES } from '../core/model';
import type { CosellFieldKind } from '../core/fields';

export const DIRECTIONS = ['to-cosell', 'to-crm', 'both'] as const;
export type MappingDirection = (typeof DIRECTIONS)[number];
export const OWNERS = ['crm', 'cosell', 'latest', 'manual'] as const;
export type FieldOwner = (typeof OWNERS)[number];
export const CONVERSIONS = ['string', 'number', 'boolean', 'money', 'date', 'datetime', 'picklist', 'json', 'lookup'] as const;
export type Conversion = (typeof CONVERSIONS)[number];
export const ON_TOO_LONG = ['truncate', 'deadLetter'] as const;
export type OnTooLong = (typeof ON_TOO_LONG)[number];

/** The conversions each co-sell field kind can go through. */
export const CONVERSIONS_BY_KIND: Record<CosellFieldKind, readonly Conversion[]> = {
  string: ['string', 'picklist', 'lookup'],
  number: ['number'],
  boolean: ['boolean'],
  date: ['date', 'datetime'],
  datetime: ['datetime'],
  money: ['money'],
  enum: ['picklist'],
  team: ['json'],
  solutions: ['json'],
};

const crmName = z.string().min(1);
const crmValue = z.union([z.string(), z.number(), z.boolean()]);
export type CrmScalar = z.infer<typeof crmValue>;
const valueMap = z.record(z.string(), crmValue);
const stage = z.enum(STAGES);
const common = {
  direction: z.enum(DIRECTIONS).default('both'),
  owner: z.enum(OWNERS).optional(),
  description: z.string().optional(),
};

export const FIELD_SCHEMAS = {
  string: strictObject({
    type: z.literal('string'),
    ...common,
    crm: crmName,
    /** Characters the field holds, applied both ways. */
    maxLength: z.int().positive().optional(),
    /** A longer text is cut to maxLength with an ellipsis, or refused as a dead letter naming the field (the default). */
    onTooLong: z.enum(ON_TOO_LONG).default('deadLetter'),
    default: z.string().optional(),
  }),
  number: strictObject({ type: z.literal('number'), ...common, crm: crmName, default: z.number().optional() }),
  boolean: strictObject({ type: z.literal('boolean'), ...common, crm: crmName, default: z.boolean().optional() }),
  date: strictObject({ type: z.literal('date'), ...common, crm: crmName, default: z.string().optional() }),
  datetime: strictObject({ type: z.literal('datetime'), ...common, crm: crmName, default: z.string().optional() }),
  money: strictObject({
    type: z.literal('money'),
    ...common,
    amount: crmName,
    /** The CRM's currency field (Salesforce CurrencyIsoCode; Dynamics the transactioncurrencyid lookup). */
    currency: crmName.optional(),
    /** The one currency of a single-currency org, instead of a currency field. */
    fixedCurrency: z.string().regex(/^[A-Z]{3}$/, 'expected a 3-letter ISO 4217 code').optional(),
    /** The ISO codes the CRM carries; values outside are conversion errors. */
    currencies: z.array(z.string().regex(/^[A-Z]{3}$/, 'expected a 3-letter ISO 4217 code')).optional(),
    /** CRM currency representation (Dynamics currency name or record guid) -> ISO code. */
    currencyValues: z.record(z.string(), z.string().regex(/^[A-Z]{3}$/, 'expected a 3-letter ISO 4217 code')).optional(),
    /** Decimal places the amount field keeps, when the CRM's metadata does not say (describe scale wins). */
    scale: z.int().min(0).max(10).optional(),
    /**
     * With fixedCurrency, when the CRM has no currency table: units of each ISO code per one unit of
     * fixedCurrency (the CRMs' own convention), e.g. {EUR: 0.92} with USD.
     */
    rates: z.record(z.string().regex(/^[A-Z]{3}$/, 'expected a 3-letter ISO 4217 code'), z.number().positive()).optional(),
  }),
  picklist: strictObject({
    type: z.literal('picklist'),
    ...common,
    crm: crmName,
    /** co-sell value -> CRM value; read back through the inverse. */
    values: valueMap,
    /** co-sell value when the CRM value is empty or has no entry. */
    default: z.string().optional(),
    /** CRM value written when the co-sell value is empty or has no entry. */
    crmDefault: crmValue.optional(),
  }),
  /** A JSON text cut short is no longer JSON: one longer than maxLength is always a dead letter. */
  json: strictObject({ type: z.literal('json'), ...common, crm: crmName, maxLength: z.int().positive().optional() }),
  lookup: strictObject({
    type: z.literal('lookup'),
    ...common,
    crm: crmName,
    lookup: strictObject({
      object: crmName,
      /** `Id` (the record id) or an external-id / alternate-key field of the looked-up object. */
      by: crmName,
      /** Dynamics: the entity set of the looked-up table, for `@odata.bind` (default: object + "s"). */
      entitySet: crmName.optional(),
    }),
  }),
} as const;

export type FieldMappingSpec = { [K in Conversion]: z.output<(typeof FIELD_SCHEMAS)[K]> }[Conversion];

const condition = z.union([crmValue, z.null(), z.array(z.union([crmValue, z.null()])).min(1)]);

export const STAGE_SCHEMA = strictObject({
  /** The CRM fields that together hold the stage (Salesforce StageName; Dynamics statecode, statuscode, salesstage). */
  fields: z.array(crmName).min(1),
  direction: z.enum(DIRECTIONS).default('both'),
  /** For each co-sell stage, the CRM values written. */
  toCrm: z.partialRecord(stage, z.record(z.string(), crmValue), knownKeys(STAGES)),
  /** CRM values -> wanted co-sell stage; the first rule whose every condition holds wins. */
  fromCrm: z
    .array(
      strictObject({
        when: z.record(z.string(), condition),
        stage,
        /** The stage wanted instead when the decline-reason field has a value (e.g. Closed Lost + reason = declined). */
        withDeclineReason: stage.optional(),
      }),
    )
    .min(1),
  declineReason: strictObject({
    field: crmName,
    values: valueMap,
    crmDefault: crmValue.optional(),
  }).optional(),
});

export const MAPPING_SCHEMA = strictObject({
  kind: z.enum(['salesforce', 'dynamics']),
  object: crmName,
  /** The CRM field holding the co-sell id: upsert key / alternate key for idempotent creates. */
  externalIdField: crmName,
  /** Set on records created in the CRM so that they take part (match the participation filter). */
  participationFields: z.record(z.string(), crmValue).default({}),
  status: strictObject({
    messageField: crmName.optional(),
    messageMaxLength: z.int().positive().default(255),
    conflictField: crmName.optional(),
  }).default({ messageMaxLength: 255 }),
  stage: STAGE_SCHEMA,
  /** R17: the CRM fields that carry a won deal's registration to co-sell (read only). */
  registration: strictObject({
    /** The registration id (text). */
    idField: crmName,
    /** Further details: a JSON object of text values, e.g. {"program": "..."}. */
    detailsField: crmName.optional(),
  }).optional(),
  fields: z.record(z.string(), z.unknown()),
});

export type MappingFileSpec = Omit<z.output<typeof MAPPING_SCHEMA>, 'fields'> & { fields: Map<string, FieldMappingSpec> };
export type StageSpec = z.output<typeof STAGE_SCHEMA>;
