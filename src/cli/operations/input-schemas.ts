/**
 * The JSON shapes users hand to `opportunities create|receive|edit|invite` and to the admin API,
 * checked with zod before the core looks at any rule. Shapes only: presence of required values,
 * formats and co-sell rules stay the core's business, so a refusal still names its rule.
 */
import { z } from 'zod';
import { HELP_TYPES, SOLUTION_KINDS } from '../../core/model';
import { InputError, type InputIssue } from './errors';

const nullableString = z.string().nullable().default(null);

export const moneySchema = z.strictObject({ amount: z.number(), currency: z.string() });

export const customerSchema = z.strictObject({
  name: z.string(),
  location: z.strictObject({
    street: nullableString,
    city: nullableString,
    region: nullableString,
    postalCode: nullableString,
    country: z.string(),
  }),
  duns: nullableString,
  contact: z.strictObject({ name: z.string(), phone: nullableString, email: nullableString }).nullable().default(null),
  contactConsent: z.boolean().default(false),
});

export const teamMemberSchema = z.strictObject({ name: z.string(), phone: z.string(), email: z.string() });
export const solutionSchema = z.strictObject({ id: z.string(), name: z.string(), kind: z.enum(SOLUTION_KINDS) });
const helpTypeSchema = z.enum(HELP_TYPES);

export const invitationSchema = z.strictObject({
  invitee: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('microsoft') }),
    z.strictObject({ kind: z.literal('partner'), partnerId: z.string(), partnerName: z.string() }),
  ]),
  closeDate: nullableString,
  value: moneySchema.nullable().default(null),
  notes: nullableString,
  team: z.array(teamMemberSchema).default([]),
  solutions: z.array(solutionSchema).default([]),
  helpType: helpTypeSchema.default('none'),
});

export const outboundSchema = z.strictObject({
  id: z.string().min(1).optional(),
  customer: customerSchema,
  dealName: z.string(),
  estimatedValue: moneySchema,
  estimatedCloseDate: z.string(),
  crmId: nullableString,
  campaignId: nullableString,
  notes: nullableString,
  team: z.array(teamMemberSchema).default([]),
  solutions: z.array(solutionSchema).default([]),
  microsoftHelpType: helpTypeSchema.default('none'),
  partnerInvitations: z.array(invitationSchema).default([]),
});

export const inboundSchema = z.strictObject({
  id: z.string().min(1).optional(),
  sender: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('microsoft'), name: z.string() }),
    z.strictObject({ kind: z.literal('partner'), partnerId: z.string(), name: z.string() }),
  ]),
  type: z.enum(['co-sell', 'p2p']),
  customer: customerSchema,
  dealName: z.string().default(''),
  estimatedValue: moneySchema,
  estimatedCloseDate: z.string(),
  notes: nullableString,
  team: z.array(teamMemberSchema).default([]),
  solutions: z.array(solutionSchema).default([]),
  microsoftHelpType: helpTypeSchema.default('none'),
  /**
   * When the referral reached us on the sender's side (Partner Center's received time), with its
   * offset: the R13 clock runs from here, not from the import. Absent: now.
   */
  receivedAt: z.iso.datetime({ offset: true }).optional(),
});

/** `team[0].email`, `customer.location.country`, `(root)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

/** Parses `value` or throws an InputError listing every problem with its JSON path. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues: InputIssue[] = result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
  throw new InputError(what, issues);
}
