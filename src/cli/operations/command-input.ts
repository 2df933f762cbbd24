/**
 * Request bodies of the opportunity commands (admin API bodies; the CLI builds the same objects
 * from its flags) and their translation into core commands.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AcceptChanges, Command, EditChanges } from '../../core/commands';
import { HELP_TYPES } from '../../core/model';
import { customerSchema, invitationSchema, moneySchema, parseInput, solutionSchema, teamMemberSchema } from './input-schemas';

const optionalNullableString = z.string().nullable().optional();

export const acceptBodySchema = z.strictObject({
  dealName: z.string(),
  estimatedValue: moneySchema.optional(),
  estimatedCloseDate: z.string().optional(),
  notes: optionalNullableString,
  crmId: optionalNullableString,
  campaignId: optionalNullableString,
  team: z.array(teamMemberSchema).optional(),
  expectedVersion: z.number().int().positive().optional(),
});

export const declineBodySchema = z.strictObject({
  reason: z.string(),
  notes: z.string().nullable().default(null),
  expectedVersion: z.number().int().positive().optional(),
});

export const editBodySchema = z.strictObject({
  customer: customerSchema.optional(),
  dealName: z.string().optional(),
  estimatedValue: moneySchema.optional(),
  estimatedCloseDate: z.string().optional(),
  crmId: optionalNullableString,
  campaignId: optionalNullableString,
  notes: optionalNullableString,
  team: z.array(teamMemberSchema).optional(),
  solutions: z.array(solutionSchema).optional(),
  expectedVersion: z.number().int().positive().optional(),
});

export const inviteBodySchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('microsoft'),
    helpType: z.enum(HELP_TYPES),
    notes: z.string().nullable().default(null),
    expectedVersion: z.number().int().positive().optional(),
  }),
  z.strictObject({ kind: z.literal('partner'), invitation: invitationSchema, expectedVersion: z.number().int().positive().optional() }),
]);

export const winBodySchema = z.strictObject({
  dealRegistration: z.strictObject({ registrationId: z.string().nullable().default(null), details: z.record(z.string(), z.string()).default({}) }).nullable().default(null),
  expectedVersion: z.number().int().positive().optional(),
});

export const loseBodySchema = z.strictObject({
  notes: z.string().nullable().default(null),
  expectedVersion: z.number().int().positive().optional(),
});

export interface ParsedCommand {
  command: Command;
  expectedVersion: number | undefined;
}

/** Copies the keys that are present; `exactOptionalPropertyTypes` keeps absent and undefined apart. */
function present<T extends object>(source: Partial<Record<keyof T, unknown>>, keys: readonly (keyof T)[]): Partial<T> {
  const out: Partial<Record<keyof T, unknown>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out as Partial<T>;
}

const ACCEPT_KEYS = ['estimatedValue', 'estimatedCloseDate', 'notes', 'crmId', 'campaignId', 'team'] as const satisfies readonly (keyof AcceptChanges)[];
const EDIT_KEYS = [
  'customer', 'dealName', 'estimatedValue', 'estimatedCloseDate', 'crmId', 'campaignId', 'notes', 'team', 'solutions',
] as const satisfies readonly (keyof EditChanges)[];

export type CommandName = 'accept' | 'decline' | 'edit' | 'invite' | 'win' | 'lose' | 'favorite' | 'unfavorite';

/** Validates the body of one command and builds the core command it asks for. */
export function parseCommandBody(name: CommandName, body: unknown): ParsedCommand {
  const input = body ?? {};
  switch (name) {
    case 'accept': {
      const b = parseInput(acceptBodySchema, input, 'accept request');
      return { command: { kind: 'accept', dealName: b.dealName, changes: present<AcceptChanges>(b, ACCEPT_KEYS) }, expectedVersion: b.expectedVersion };
    }
    case 'decline': {
      const b = parseInput(declineBodySchema, input, 'decline request');
      return { command: { kind: 'decline', reason: b.reason, notes: b.notes }, expectedVersion: b.expectedVersion };
    }
    case 'edit': {
      const b = parseInput(editBodySchema, input, 'edit request');
      return { command: { kind: 'edit', changes: present<EditChanges>(b, EDIT_KEYS) }, expectedVersion: b.expectedVersion };
    }
    case 'invite': {
      const b = parseInput(inviteBodySchema, input, 'invite request');
      const command: Command =
        b.kind === 'microsoft'
          ? { kind: 'inviteMicrosoft', helpType: b.helpType, notes: b.notes }
          : { kind: 'invitePartner', invitation: b.invitation, invitationId: randomUUID() };
      return { command, expectedVersion: b.expectedVersion };
    }
    case 'win': {
      const b = parseInput(winBodySchema, input, 'win request');
      return { command: { kind: 'win', dealRegistration: b.dealRegistration }, expectedVersion: b.expectedVersion };
    }
    case 'lose': {
      const b = parseInput(loseBodySchema, input, 'lose request');
      return { command: { kind: 'lose', notes: b.notes }, expectedVersion: b.expectedVersion };
    }
    case 'favorite':
    case 'unfavorite':
      return { command: { kind: name }, expectedVersion: undefined };
  }
}
