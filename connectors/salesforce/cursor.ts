/**
 * The readChanges cursor: position in the (SystemModstamp, Id) order, where getDeleted resumes,
 * and whether a full pass is in progress (so a resumed full pass stays flagged fullResync).
 */
import { StateError } from '../../src/errors';

export interface SalesforceCursor {
  v: 1;
  stamp: string | null;
  id: string | null;
  deletedSince: string;
  phase: 'full' | 'incremental';
  /**
   * Records read within settleMs of `stamp`: id -> the SystemModstamp read. The next read starts
   * settleMs before `stamp` and skips these, so a late commit with an older stamp is still read.
   */
  seen?: Record<string, string>;
}

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
  const c = raw as Partial<SalesforceCursor> | null;
  const okStamp = (v: unknown): boolean => v === null || (typeof v === 'string' && !Number.isNaN(Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'))));
  if (!c || c.v !== 1 || !okStamp(c.stamp) || !(c.id === null || typeof c.id === 'string') || typeof c.deletedSince !== 'string' || !okStamp(c.deletedSince) || (c.phase !== 'full' && c.phase !== 'incremental')) {
    throw new StateError('salesforce cursor has an unexpected shape');
  }
  const seen = c.seen === undefined ? undefined : c.seen;
  if (seen !== undefined && (seen === null || typeof seen !== 'object' || Object.values(seen).some((s) => typeof s !== 'string'))) {
    throw new StateError('salesforce cursor has an unexpected shape');
  }
  return { v: 1, stamp: c.stamp ?? null, id: c.id ?? null, deletedSince: c.deletedSince, phase: c.phase, ...(seen ? { seen: { ...seen } } : {}) };
}
