/**
 * The readChanges cursor: position in the (SystemModstamp, Id) order, where getDeleted resumes,
 * and whether a full pass is in progress (so a resumed full pass stays flagged fullResync).
 */
import { z } from 'zod';
import { StateError } from '../../src/errors';

/** A SystemModstamp as Salesforce writes it (`2026-01-02T03:04:05.000+0000`) or ISO 8601. */
const stamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})$/, 'expected a date-time')
  .refine((v) => !Number.isNaN(Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'))), 'expected a valid date-time');

const CursorSchema = z.object({
  v: z.literal(1),
  stamp: stamp.nullable(),
  id: z.string().regex(/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/, 'expected a Salesforce id').nullable(),
  deletedSince: stamp,
  phase: z.enum(['full', 'incremental']),
  /**
   * Records read in the overlap before `stamp` (settleMs, and at least `stamp`'s own second):
   * id -> the version read (SystemModstamp#hash, or a stamp alone in older cursors). The next read
   * starts at the overlap and skips these unless their version changed, so a late commit with an
   * older stamp, or a second edit within the same second, is still read.
   */
  seen: z.record(z.string(), z.string()).optional(),
  /**
   * Every record stamped at or before this instant has been read: a read that began when the org's
   * own clock said T (getDeleted's latestDateCovered) saw every record committed by then, and a
   * record stamped S commits by S + settleMs (its stamp a whole second, so by S + 1 s + settleMs).
   * The next read starts here when that is later than settleMs behind `stamp`, so records read
   * there are not fetched again at every poll while nothing newer arrives.
   */
  settled: stamp.optional(),
});

export type SalesforceCursor = z.infer<typeof CursorSchema>;

export function encodeCursor(c: SalesforceCursor): string {
  return JSON.stringify(c);
}

export function decodeCursor(text: string): SalesforceCursor {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new StateError('salesforce cursor is not JSON', err);
  }
  const parsed = CursorSchema.safeParse(raw);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new StateError(`salesforce cursor has an unexpected shape (${where})`);
  }
  return parsed.data;
}
