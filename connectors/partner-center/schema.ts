/**
 * Response shapes of the Referrals API, checked with zod before anything maps them. Objects are
 * loose (unknown members are kept) and enums are plain strings: a new Partner Center value must
 * reach the mapper, which logs and keeps it, rather than fail the read.
 */
import { z } from 'zod';
import type { Referral, ReferralPage } from '../../src/ports/referral';

const str = z.string().nullish();

export const referralSchema = z.looseObject({
  id: z.string().min(1),
  engagementId: str,
  externalReferenceId: str,
  name: str,
  createdDateTime: str,
  updatedDateTime: str,
  status: str,
  substatus: str,
  type: str,
  qualification: str,
  eTag: str,
  customerProfile: z.looseObject({ name: str }).nullish(),
  consent: z.looseObject({}).nullish(),
  details: z.looseObject({ dealValue: z.number().nullish(), currency: str }).nullish(),
  team: z.array(z.looseObject({})).nullish(),
});

export const referralListSchema = z.looseObject({
  value: z.array(referralSchema),
  '@odata.nextLink': str,
});

export function parseReferral(body: unknown, operation: string): Referral {
  const result = referralSchema.safeParse(body);
  if (!result.success) throw describeIssues(operation, result.error);
  return result.data as Referral;
}

export function parseReferralList(body: unknown, operation: string, base: string): ReferralPage {
  const result = referralListSchema.safeParse(body);
  if (!result.success) throw describeIssues(operation, result.error);
  const next = result.data['@odata.nextLink'];
  return { referrals: result.data.value as Referral[], nextLink: next ? new URL(next, base).toString() : null };
}

export class ReferralShapeError extends Error {
  override name = 'ReferralShapeError';
}

function describeIssues(operation: string, error: z.ZodError): ReferralShapeError {
  const where = error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return new ReferralShapeError(`${operation}: unexpected response shape (${where.join('; ')})`);
}
