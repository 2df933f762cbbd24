/**
 * R17 from the CRM: a registration id field (and optionally a JSON details field) on the CRM
 * record, read into the core's deal registration. Read only: the registration is kept in co-sell.
 */
import { z } from 'zod';
import { getCrmValue } from './crm-names';
import type { MappingFileSpec } from './schema';

export interface RegistrationValue {
  registrationId: string | null;
  details: Record<string, string>;
}

export type RegistrationRead = { ok: true; value: RegistrationValue | null } | { ok: false; crmField: string; message: string };

const DETAILS = z.record(z.string(), z.string());

export function readRegistration(spec: MappingFileSpec['registration'], record: Record<string, unknown>): RegistrationRead {
  if (spec === undefined) return { ok: true, value: null };
  const rawId = getCrmValue(record, spec.idField);
  const rawDetails = spec.detailsField === undefined ? null : getCrmValue(record, spec.detailsField);
  const empty = (v: unknown): boolean => v === null || v === undefined || v === '';
  if (empty(rawId) && empty(rawDetails)) return { ok: true, value: null };
  if (!empty(rawId) && typeof rawId !== 'string') return { ok: false, crmField: spec.idField, message: `registration id: expected text, got ${JSON.stringify(rawId)}` };
  let details: Record<string, string> = {};
  if (!empty(rawDetails) && spec.detailsField !== undefined) {
    let parsed: unknown = rawDetails;
    if (typeof rawDetails === 'string') {
      try {
        parsed = JSON.parse(rawDetails) as unknown;
      } catch {
        return { ok: false, crmField: spec.detailsField, message: 'registration details: not valid JSON' };
      }
    }
    const checked = DETAILS.safeParse(parsed);
    if (!checked.success) return { ok: false, crmField: spec.detailsField, message: 'registration details: expected a JSON object of text values' };
    details = checked.data;
  }
  return { ok: true, value: { registrationId: empty(rawId) ? null : (rawId as string), details } };
}
