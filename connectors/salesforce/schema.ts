/** Provider response shapes (Salesforce casing), validated before use (style.md §2.3). */
import { z } from 'zod';

export const QueryPage = z.object({
  totalSize: z.number(),
  done: z.boolean(),
  nextRecordsUrl: z.string().optional(),
  records: z.array(z.record(z.string(), z.unknown())),
});
export type QueryPage = z.infer<typeof QueryPage>;

export const ErrorItem = z.object({ statusCode: z.string().optional(), errorCode: z.string().optional(), message: z.string().optional(), fields: z.array(z.string()).optional() });

export const SaveResults = z.array(
  z.object({ id: z.string().nullish(), success: z.boolean(), created: z.boolean().optional(), errors: z.array(ErrorItem).default([]) }),
);

export const DeletedResult = z.object({
  deletedRecords: z.array(z.object({ id: z.string(), deletedDate: z.string() })),
  earliestDateAvailable: z.string(),
  latestDateCovered: z.string(),
});

export const DescribeResult = z.object({
  name: z.string(),
  fields: z.array(
    z.object({
      name: z.string(),
      label: z.string(),
      type: z.string(),
      updateable: z.boolean(),
      createable: z.boolean(),
      nillable: z.boolean(),
      picklistValues: z.array(z.object({ value: z.string(), active: z.boolean().optional() })).nullish(),
      referenceTo: z.array(z.string()).nullish(),
      /** Decimal places of number and currency fields (0 for other types). */
      scale: z.number().int().nullish(),
    }),
  ),
});

