/**
 * R17: the deal-registration details asked for after a win, as a request body (CLI file or admin
 * API): `{ "registrationId": "REG-1", "details": { "program": "..." } }`. Shape is checked here;
 * the core refuses a deal that is not won, naming R17.
 */
import { z } from 'zod';
import type { ParsedCommand } from './command-input';
import { parseInput } from './input-schemas';

const registrationBodySchema = z.strictObject({
  registrationId: z.string().min(1).nullable().default(null),
  details: z.record(z.string(), z.string()).default({}),
  expectedVersion: z.number().int().positive().optional(),
});

export function parseRegistrationBody(body: unknown): ParsedCommand {
  const b = parseInput(registrationBodySchema, body ?? {}, 'deal registration');
  return { command: { kind: 'registerDeal', registration: { registrationId: b.registrationId, details: b.details } }, expectedVersion: b.expectedVersion };
}
