/** `start`, `sandbox`, `sync --once`, `config validate`. */
import { Option, type Command } from 'commander';
import type { RunSummary } from '../../sync/types';
import type { Registrar } from '../program';
import type { Session } from '../session';
import { formatTable } from '../table';

function summaryLine(s: RunSummary): string {
  const counts = s.dryRun
    ? `would apply ${s.applied}, would push ${s.pushed}, would record conflicts ${s.conflicts}, would dead-letter ${s.deadLetters}`
    : `applied ${s.applied}, pushed ${s.pushed}, conflicts ${s.conflicts}, dead letters ${s.deadLetters}`;
  const head = `${s.connector}${s.dryRun ? ' (dry run, nothing written)' : ''}: pulled ${s.pulled}, ${counts}, API calls ${s.apiCalls}, ${s.durationMs} ms`;
  return s.error === null ? `${head}\n` : `${head}\n  error: ${s.error}\n`;
}

function plannedTable(s: RunSummary): string {
  if (!s.dryRun) return '';
  if (s.planned.length === 0) return '  nothing would be written\n';
  return formatTable(
    ['TARGET', 'ACTION', 'OPPORTUNITY', 'EXTERNAL ID', 'CHANGES', 'WHY'],
    s.planned.map((p) => [p.target, p.action, p.opportunityId, p.externalId, p.changes, p.reason]),
  );
}

/** Where a new user of the sandbox settles its conflicts: the console, and the token to log in with. */
export function sandboxBanner(httpAddress: string, env: NodeJS.ProcessEnv): string {
  const token = env['COSELL_SANDBOX_ADMIN_TOKEN'] === undefined ? 'log in with the sandbox admin token: sandbox-admin-token' : 'log in with the token in COSELL_SANDBOX_ADMIN_TOKEN';
  return `sandbox console: ${httpAddress}/console/ (${token})\n`;
}

async function daemon(s: Session, sandbox: boolean): Promise<void> {
  // Only `sandbox` runs the simulators: `start` without a configuration is a usage error (openApp).
  const isSandbox = sandbox;
  const app = await s.openApp(sandbox, true);
  const handle = s.ctx.startDaemon(app, { installSignalHandlers: true });
  s.detachApp();
  if (isSandbox) {
    void handle.ready.then(
      ({ httpAddress }) => void (httpAddress === null ? undefined : s.ctx.stdout.write(sandboxBanner(httpAddress, s.ctx.env))),
      () => undefined,
    );
  }
  await handle.done;
}

const CHECK_CRM_HINT =
  "note: the mapped CRM fields were not checked against the CRMs themselves; `config validate --check-crm` connects to each CRM and checks that every mapped field exists there";

export function registerDaemonCommands(program: Command, r: Registrar): void {
  program
    .command('start')
    .description('run the daemon: scheduled syncs, expiry sweep, HTTP endpoints (needs --config or COSELL_SYNC_CONFIG)')
    // What `npm start` passes: with no configuration at all, it runs the sandbox.
    .addOption(new Option('--sandbox-without-config', 'run the sandbox when no configuration is given').hideHelp())
    .action(r.act((s, _args, o) => daemon(s, o['sandboxWithoutConfig'] === true && (s.configPath() ?? '') === ''), () => 'start'));
  program.command('sandbox').description('run the daemon against the bundled CRM simulators, seeded with samples').action(r.act((s) => daemon(s, true), () => 'sandbox'));

  program
    .command('sync')
    .description('one sync pass now (needs --once; `start` runs the schedule)')
    .option('--once', 'run one pass and exit')
    .option('--connector <name>', 'only this connector instance')
    .option('--dry-run', 'show what would be written where, and why; write nothing')
    .action(
      r.act(async (s, _args, o) => {
        if (o['once'] !== true) return s.usage('sync needs --once (use `start` for scheduled syncs)');
        const app = await s.openApp();
        const known = app.engine.connectorNames();
        const only = typeof o['connector'] === 'string' ? o['connector'] : undefined;
        if (only !== undefined && !known.includes(only)) {
          throw new Error(`unknown connector instance ${only}; configured: ${known.join(', ') || 'none'}`);
        }
        const summaries: RunSummary[] = [];
        for (const connector of only === undefined ? known : [only]) {
          summaries.push(await app.engine.runOnce({ connector, dryRun: o['dryRun'] === true }));
        }
        if (summaries.some((x) => x.error !== null)) s.code = 1;
        s.print(summaries, () => summaries.map((x) => summaryLine(x) + plannedTable(x)).join(''));
      }, () => 'sync'),
    );

  program
    .command('config')
    .description('configuration tools')
    .command('validate')
    .description('check the configuration file; reports every error with file, line and path')
    .option('--check-crm', "also check mapped fields against each CRM's own field metadata (connects to the CRMs)")
    .action(
      r.act(async (s, _args, opts) => {
        const path = s.configPath();
        if (path === undefined) return s.usage('config validate needs --config FILE or COSELL_SYNC_CONFIG');
        const checkCrm = opts.checkCrm === true;
        const result = await s.ctx.validateConfig(path, s.ctx.env, { checkCrm });
        if (!result.ok) s.code = 1;
        const hint = result.ok && !checkCrm ? `${CHECK_CRM_HINT}\n` : '';
        s.print(result, () => `${result.summary}\n${hint}`);
      }, () => 'config validate'),
    );
}
