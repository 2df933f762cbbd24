/**
 * The `cosell-sync` command line. `run(argv, context)` never calls process.exit: commander's
 * usage errors come back through exitOverride and every outcome is a return code
 * (0 ok, 1 failure or refusal, 2 usage error).
 */
import { Command, CommanderError } from 'commander';
import type { CliContext, GlobalOptions } from './context';
import { registerDaemonCommands } from './commands/daemon';
import { registerExpiryCommand } from './commands/expiry';
import { registerLoginCommand } from './commands/login';
import { registerSimulatorsCommand } from './commands/simulators';
import { registerOpportunityCommands } from './commands/opportunities';
import { registerOpsCommands } from './commands/ops';
import { registerRegistrationCommand } from './commands/registration';
import { registerRunControlCommands } from './commands/run-control';
import { EXIT_OK, EXIT_USAGE, Session } from './session';
import { UsageError } from './usage-error';

export type Handler = (session: Session, args: string[], options: Record<string, unknown>) => Promise<void>;

/** Shared by the command modules: wraps a handler with its session, failure report and clean-up. */
export interface Registrar {
  act(handler: Handler, label?: (args: string[]) => string): (...raw: unknown[]) => Promise<void>;
}

function makeRegistrar(ctx: CliContext, state: { code: number }): Registrar {
  return {
    act: (handler, label) =>
      async (...raw: unknown[]) => {
        const command = raw[raw.length - 1] as Command;
        const args = raw.slice(0, command.registeredArguments.length).map((a) => String(a));
        const session = new Session(ctx, command.optsWithGlobals<GlobalOptions>());
        try {
          await handler(session, args, command.opts());
        } catch (error) {
          if (error instanceof UsageError) session.usage(error.message);
          else session.fail(error, label ? label(args) : [command.parent?.name(), command.name(), ...args].filter(Boolean).join(' '));
        } finally {
          await session.close().catch((error: unknown) => ctx.stderr.write(`warning: closing failed: ${String(error)}\n`));
        }
        state.code = session.code;
      },
  };
}

export function buildProgram(ctx: CliContext, state: { code: number }): Command {
  const program = new Command('cosell-sync')
    .description('Keeps CRM opportunities (Salesforce, Dynamics 365) and the Microsoft co-sell lifecycle in step.')
    .option('--config <file>', 'daemon configuration (YAML); default $COSELL_SYNC_CONFIG')
    .option('--json', 'machine-readable output')
    .option('--store <pathOrUrl>', 'store for store-only commands: SQLite file or postgres:// URL (default ./data/cosell-sync.db)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => void ctx.stdout.write(s), writeErr: (s) => void ctx.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)');
  const registrar = makeRegistrar(ctx, state);
  registerDaemonCommands(program, registrar);
  registerOpportunityCommands(program, registrar);
  registerRegistrationCommand(program, registrar);
  registerOpsCommands(program, registrar);
  registerExpiryCommand(program, registrar);
  registerRunControlCommands(program, registrar);
  registerSimulatorsCommand(program, registrar);
  registerLoginCommand(program, registrar);
  return program;
}

/** `argv` as in process.argv (node, script, ...args). */
export async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  const state = { code: EXIT_OK };
  const program = buildProgram(ctx, state);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT_OK : EXIT_USAGE;
    }
    throw error;
  }
  return state.code;
}
