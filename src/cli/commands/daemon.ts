/** `start`, `sandbox`, `sync --once`, `config validate`. */
import type { Command } from 'commander';
import type { RunSummary } from '../../sync/types';
import type { Registrar } from '../program';
import type { Session } from '../session';
import { formatTable } from '../table';

function summaryLine(s: RunSummary): string {
  const head = `${s.connector}${s.dryRun ? ' (dry run)' : ''}: pulled ${s.pulled}, applied ${s.applied}, pushed ${s.pushed}, conflicts ${s.conflicts}, dead letters ${s.deadLetters}, API calls ${s.apiCalls}, ${s.durationMs} ms`;
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
  const isSandbox = sandbox || s.configPath() === undefined;
  const app = await s.openApp(sandbox);
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

export function registerDaemonCommands(program: Command, r: Registrar): void {
  program.command('start').description('run the daemon: scheduled syncs, expiry sweep, HTTP endpoints').action(r.act((s) => daemon(s, false), () => 'start'));
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
        const result = await s.ctx.validateConfig(path, s.ctx.env, { checkCrm: opts.checkCrm === true });
        if (!result.ok) s.code = 1;
        s.print(result, () => `${result.summary}\n`);
      }, () => 'config validate'),
    );
}
