/**
 * A co-sell value the CRM cannot hold as it is (too long for the field, a currency the org does
 * not keep and cannot convert). Thrown by CompiledMapping.toCrm; the push turns it into a dead
 * letter for that record alone, with this message.
 */
import { SyncError } from '../errors';

export class ValueRefusedError extends SyncError {
  override name = 'ValueRefusedError';
  /** The co-sell field, once known (set by the mapping around the codec). */
  readonly field: string | null;
  readonly crmField: string;
  constructor(params: { crmField: string; message: string; field?: string | null }) {
    super({ code: 'validation', message: params.message, retryable: false });
    this.crmField = params.crmField;
    this.field = params.field ?? null;
  }
}

export const isValueRefused = (error: unknown): error is ValueRefusedError => error instanceof ValueRefusedError;
