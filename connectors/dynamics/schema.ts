/**
 * Shapes of the Web API replies the connector reads, checked with zod before use (style: validate
 * at every boundary). A reply that does not fit is a typed `unknown` ConnectorError, not a crash
 * deeper in the mapping.
 */
import { z } from 'zod';
import { ConnectorError } from '../../src/errors';

const row = z.record(z.string(), z.unknown());

export const pageSchema = z.object({
  value: z.array(row).default([]),
  '@odata.nextLink': z.string().optional(),
  '@odata.deltaLink': z.string().optional(),
});
export type PageBody = z.infer<typeof pageSchema>;

export const currencyListSchema = z.object({
  value: z.array(z.object({ transactioncurrencyid: z.string(), isocurrencycode: z.string(), exchangerate: z.number().nullish() }).loose()),
});

const label = z.object({ UserLocalizedLabel: z.object({ Label: z.string() }).loose().nullish() }).loose();

export const attributeListSchema = z.object({
  value: z.array(
    z
      .object({
        LogicalName: z.string(),
        AttributeType: z.string().nullish(),
        DisplayName: label.nullish(),
        IsValidForCreate: z.boolean().nullish(),
        IsValidForUpdate: z.boolean().nullish(),
        RequiredLevel: z.object({ Value: z.string() }).loose().nullish(),
        Targets: z.array(z.string()).nullish(),
        Format: z.string().nullish(),
        /** Money and Decimal columns: decimal places kept (MoneyAttributeMetadata.Precision). */
        Precision: z.number().int().nullish(),
      })
      .loose(),
  ),
});
export type AttributeMetadata = z.infer<typeof attributeListSchema>['value'][number];

export const optionSetListSchema = z.object({
  value: z.array(
    z
      .object({
        LogicalName: z.string(),
        OptionSet: z
          .object({ Options: z.array(z.object({ Value: z.number(), Label: label.nullish() }).loose()).default([]) })
          .loose()
          .nullish(),
      })
      .loose(),
  ),
});
export type OptionSetAttribute = z.infer<typeof optionSetListSchema>['value'][number];

export function parseReply<T>(schema: z.ZodType<T>, text: string, operation: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConnectorError({ code: 'unknown', message: `${operation}: reply is not JSON`, cause: error });
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue ? `${issue.path.join('.')}: ${issue.message}` : 'unexpected shape';
    throw new ConnectorError({ code: 'unknown', message: `${operation}: unexpected reply (${where})`, cause: result.error });
  }
  return result.data;
}
