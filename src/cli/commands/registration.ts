/** `cosell-sync opportunities register ID --file registration.json`: R17 details on a won deal. */
import type { Command } from 'commander';
import { runCommand } from '../operations/opportunities';
import { parseRegistrationBody } from '../operations/registration-input';
import type { Registrar } from '../program';
import { changed } from './opportunity-format';
import { readJsonFile } from './opportunities';

export function registerRegistrationCommand(program: Command, r: Registrar): void {
  const opps = program.commands.find((c) => c.name() === 'opportunities');
  if (opps === undefined) throw new Error('the opportunities command group must be registered first');
  opps
    .command('register')
    .argument('<id>')
    .description('add deal-registration details to a won opportunity (R17), from a JSON file: {"registrationId", "details"}')
    .requiredOption('--file <registration.json>', 'the registration, as JSON')
    .action(
      r.act(
        async (session, [id = ''], options) => {
          const { command, expectedVersion } = parseRegistrationBody(await readJsonFile(String(options['file'])));
          const stored = await runCommand(await session.operations(), { id, command, expectedVersion });
          session.print({ ok: true, version: stored.version, opportunity: stored.opportunity }, () => changed(stored, 'registered'));
        },
        (args) => `register opportunity ${args[0] ?? ''}`.trim(),
      ),
    );
}
