/** `cosell-sync opportunities ...`: the co-sell opportunities in the store, changed only through the core. */
import { readFile } from 'node:fs/promises';
import { coerceError } from '../../errors';
import { UsageError } from '../usage-error';
import { Option, type Command } from 'commander';
import { HELP_TYPES, OPPORTUNITY_TYPES, STAGES } from '../../core/model';
import { parseCommandBody, type CommandName } from '../operations/command-input';
import { InputError } from '../operations/errors';
import { createOutbound, getOpportunity, listOpportunities, receiveInbound, runCommand, showOpportunity } from '../operations/opportunities';
import type { Registrar } from '../program';
import type { Session } from '../session';
import { changed, opportunityDetail, opportunityTable } from './opportunity-format';

type Options = Record<string, unknown>;
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a folder' : coerceError(error).message;
    throw new UsageError(`--file ${path}: cannot read it (${why})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InputError(`JSON file ${path}`, [{ path: '(root)', message: error instanceof Error ? error.message : String(error) }]);
  }
}

/** `--value`/`--currency` as Money; the missing half comes from the stored opportunity. */
async function moneyFromFlags(session: Session, id: string, options: Options): Promise<{ amount: number; currency: string } | undefined> {
  const value = str(options['value']);
  const currency = str(options['currency']);
  if (value === undefined && currency === undefined) return undefined;
  const amount = value === undefined ? undefined : Number(value);
  if (amount !== undefined && !Number.isFinite(amount)) throw new InputError('--value', [{ path: 'estimatedValue.amount', message: `not a number: ${value}` }]);
  const current = (await getOpportunity(await session.operations(), id)).opportunity.estimatedValue;
  return { amount: amount ?? current.amount, currency: currency ?? current.currency };
}

/** The flags shared by accept and edit, as the body fields they stand for. */
async function fieldFlags(session: Session, id: string, options: Options): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {};
  const estimatedValue = await moneyFromFlags(session, id, options);
  if (estimatedValue !== undefined) body['estimatedValue'] = estimatedValue;
  const map = [['dealName', 'dealName'], ['estimatedCloseDate', 'closeDate'], ['notes', 'notes'], ['crmId', 'crmId'], ['campaignId', 'campaignId']] as const;
  for (const [field, flag] of map) if (str(options[flag]) !== undefined) body[field] = options[flag];
  return body;
}

function withFieldFlags(command: Command, dealName: 'required' | 'optional'): Command {
  if (dealName === 'required') command.requiredOption('--deal-name <name>', 'deal name (R12)');
  else command.option('--deal-name <name>', 'deal name');
  return command
    .option('--value <amount>', 'estimated value')
    .option('--currency <code>', 'ISO 4217 currency of the value')
    .option('--close-date <yyyy-mm-dd>', 'estimated close date')
    .option('--notes <text>', 'notes')
    .option('--crm-id <id>', 'CRM opportunity ID')
    .option('--campaign-id <id>', 'marketing campaign ID');
}

async function apply(session: Session, id: string, name: CommandName, body: unknown, verb: string): Promise<void> {
  const { command, expectedVersion } = parseCommandBody(name, body);
  const stored = await runCommand(await session.operations(), { id, command, expectedVersion });
  session.print({ ok: true, version: stored.version, opportunity: stored.opportunity }, () => changed(stored, verb));
}

const label = (verb: string) => (args: string[]) => `${verb} opportunity ${args[0] ?? ''}`.trim();

export function registerOpportunityCommands(program: Command, r: Registrar): void {
  const opps = program.command('opportunities').alias('opps').description('list, show and change co-sell opportunities');
  registerReads(opps, r);
  registerCreates(opps, r);
  registerStageChanges(opps, r);
  registerEdits(opps, r);
}

function registerReads(opps: Command, r: Registrar): void {
  opps
    .command('list')
    .description('list opportunities of a view, with filters and paging')
    .addOption(new Option('--view <view>', 'which opportunities').choices(['inbound', 'outbound', 'favorites', 'archived', 'active', 'all']).default('all'))
    .option('--stage <stages>', `comma-separated stages (${STAGES.join(', ')})`)
    .option('--type <types>', `comma-separated types (${OPPORTUNITY_TYPES.join(', ')})`)
    .option('--search <text>', 'deal or customer name contains')
    .option('--limit <n>', 'page size (1-500)')
    .option('--cursor <cursor>', 'next page, as printed by the previous one')
    .action(
      r.act(async (s, _args, o) => {
        const page = await listOpportunities(await s.operations(), {
          view: str(o['view']), stage: str(o['stage']), type: str(o['type']), search: str(o['search']), limit: str(o['limit']), cursor: str(o['cursor']),
        });
        s.print({ items: page.items.map((i) => ({ ...i.opportunity, version: i.version })), nextCursor: page.nextCursor }, () => opportunityTable(page));
      }, () => 'list opportunities'),
    );

  opps.command('show').argument('<id>').description('one opportunity with its event log').action(
    r.act(async (s, [id = '']) => {
      const { stored, events } = await showOpportunity(await s.operations(), id);
      s.print({ version: stored.version, updatedAt: stored.updatedAt, opportunity: stored.opportunity, events }, () => opportunityDetail(stored, events));
    }, label('show')),
  );
}

function registerCreates(opps: Command, r: Registrar): void {
  for (const [name, verb, fn] of [['create', 'created', createOutbound], ['receive', 'received', receiveInbound]] as const) {
    opps
      .command(name)
      .description(name === 'create' ? 'create an outbound opportunity from a JSON file' : 'record an inbound referral from a JSON file')
      .requiredOption('--file <file.json>', 'the opportunity as JSON')
      .action(
        r.act(async (s, _args, o) => {
          const stored = await fn(await s.operations(), await readJsonFile(String(o['file'])));
          s.print({ ok: true, version: stored.version, opportunity: stored.opportunity }, () => changed(stored, verb));
        }, () => `${name} opportunity`),
      );
  }
}

function registerStageChanges(opps: Command, r: Registrar): void {
  withFieldFlags(opps.command('accept').argument('<id>').description('accept a received referral (R12)'), 'required').action(
    r.act(async (s, [id = ''], o) => apply(s, id, 'accept', await fieldFlags(s, id, o), 'accepted'), label('accept')),
  );

  opps.command('decline').argument('<id>').description('decline a received referral (R12)').requiredOption('--reason <reason>', 'why').option('--notes <text>', 'notes').action(
    r.act((s, [id = ''], o) => apply(s, id, 'decline', { reason: o['reason'], notes: str(o['notes']) ?? null }, 'declined'), label('decline')),
  );

  opps.command('win').argument('<id>').description('mark an accepted opportunity won').action(r.act((s, [id = '']) => apply(s, id, 'win', {}, 'won'), label('win')));
  opps.command('lose').argument('<id>').description('mark an accepted opportunity lost').option('--notes <text>', 'notes').action(
    r.act((s, [id = ''], o) => apply(s, id, 'lose', { notes: str(o['notes']) ?? null }, 'lost'), label('lose')),
  );
}

function registerEdits(opps: Command, r: Registrar): void {
  withFieldFlags(opps.command('edit').argument('<id>').description('change fields, from a JSON patch file and/or flags').option('--file <patch.json>', 'fields to change, as JSON'), 'optional').action(
    r.act(async (s, [id = ''], o) => {
      const file = str(o['file']);
      const fromFile = file === undefined ? {} : await readJsonFile(file);
      const body = { ...(typeof fromFile === 'object' && fromFile !== null ? fromFile : {}), ...(await fieldFlags(s, id, o)) };
      if (file === undefined && Object.keys(body).length === 0) return s.usage('edit needs --file or at least one field flag');
      return apply(s, id, 'edit', body, 'edited');
    }, label('edit')),
  );

  opps
    .command('invite')
    .argument('<id>')
    .description('invite Microsoft (--microsoft --help-type) or a partner (--partner-file)')
    .option('--microsoft', 'invite Microsoft')
    .addOption(new Option('--help-type <type>', 'help asked of Microsoft').choices(HELP_TYPES))
    .option('--notes <text>', 'notes for Microsoft')
    .option('--partner-file <invitation.json>', 'partner invitation as JSON')
    .action(
      r.act(async (s, [id = ''], o) => {
        const partnerFile = str(o['partnerFile']);
        if ((o['microsoft'] === true) === (partnerFile !== undefined)) return s.usage('invite needs exactly one of --microsoft or --partner-file');
        if (o['microsoft'] === true && str(o['helpType']) === undefined) return s.usage('--microsoft needs --help-type');
        const body = o['microsoft'] === true
          ? { kind: 'microsoft', helpType: o['helpType'], notes: str(o['notes']) ?? null }
          : { kind: 'partner', invitation: await readJsonFile(partnerFile ?? '') };
        return apply(s, id, 'invite', body, 'invited on');
      }, label('invite on')),
    );

  opps.command('favorite').argument('<id>').description('mark (or with --off unmark) as favorite; allowed in every stage (R1)').option('--off', 'remove the mark').action(
    r.act((s, [id = ''], o) => apply(s, id, o['off'] === true ? 'unfavorite' : 'favorite', {}, o['off'] === true ? 'unfavorited' : 'favorited'), label('favorite')),
  );
}
