/** `status`, `conflicts ...`, `dead-letters ...`: what ops look at and settle. */
import { Option, type Command } from 'commander';
import { NotFoundError } from '../operations/errors';
import { instanceStatus, type InstanceStatus } from '../operations/status';
import { listUnrouted, type UnroutedReferral } from '../../sync/unrouted';
import type { Registrar } from '../program';
import type { Session } from '../session';
import { formatAge, formatFields, formatTable } from '../table';

const positiveInt = (value: string, what: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new NotFoundError(what, value);
  return n;
};

/** Engine outcomes (`{ ok, message }`) as output and exit code. */
function outcome(s: Session, result: { ok: boolean; message: string }, action: string): void {
  if (!result.ok) s.code = 1;
  s.print(result, () => `${result.message}\n`);
  if (!result.ok) s.ctx.stderr.write(`error: ${action} failed: ${result.message}\n`);
}

export function registerOpsCommands(program: Command, r: Registrar): void {
  registerStatus(program, r);
  registerConflicts(program, r);
  registerDeadLetters(program, r);
}

function registerStatus(program: Command, r: Registrar): void {
  program
    .command('status')
    .description('per connector instance: last run, lag, cursor age, counts, last error')
    .action(
      r.act(async (s) => {
        const store = await s.store();
        const rows = await instanceStatus(store, s.ctx.clock.now(), [], s.configPath());
        // The instances' inbound rules come with the configuration; with --store alone they are not known.
        const configured = s.configPath() ? await s.openApp().then((app) => app.config.connectors, (error: unknown) => {
          s.ctx.stderr.write(`warning: unrouted referrals not listed: ${error instanceof Error ? error.message : String(error)}\n`);
          return null;
        }) : null;
        const unrouted = configured === null ? null : await listUnrouted(store, configured);
        s.print({ connectors: rows, unrouted }, () => {
          const runs = rows.length === 0
            ? 'no sync run recorded yet\n'
            : formatTable(
                ['CONNECTOR', 'LAST RUN', 'STATUS', 'LAG', 'CURSOR AGE', 'PULLED', 'APPLIED', 'PUSHED', 'CONFLICTS', 'DEAD', 'OUTBOX', 'LAST ERROR'],
                rows.map((x) => [
                  x.connector, x.lastRun?.startedAt ?? null, x.lastRun?.status ?? null, formatAge(x.lagSeconds), formatAge(x.cursorAgeSeconds),
                  x.counts.pulled, x.counts.applied, x.counts.pushed, x.counts.conflictsPending, x.counts.deadLetters, x.counts.outbox, x.lastError,
                ]),
              ) + grantLines(rows);
          return runs + formatUnrouted(unrouted);
        });
      }, () => 'status'),
    );

}

/** One line per delegated sign-in (Partner Center): who signed in, or why it is not ready. */
function grantLines(rows: readonly InstanceStatus[]): string {
  return rows
    .filter((x) => x.grant !== null)
    .map(({ grant: g }) =>
      g === null ? '' : g.ready ? `${g.name} sign-in: ok (${g.account ?? 'unknown account'}, since ${g.signedInAt ?? '?'})\n` : `${g.name} sign-in: NOT READY: ${g.reason ?? 'unknown'}\n`,
    )
    .join('');
}

/** Inbound referrals no CRM instance's `inbound` rule takes: kept, and listed until one does. */
function formatUnrouted(unrouted: readonly UnroutedReferral[] | null): string {
  if (unrouted === null || unrouted.length === 0) return '';
  return `\n${unrouted.length} inbound referral(s) no CRM instance takes (see each instance's inbound rule):\n${formatTable(
    ['OPPORTUNITY', 'DEAL', 'STAGE', 'COUNTRY', 'SOLUTIONS', 'RECEIVED'],
    unrouted.map((u) => [u.id, u.dealName, u.stage, u.country, u.solutions.join(', '), u.receivedAt]),
  )}`;
}

function registerConflicts(program: Command, r: Registrar): void {
  const conflicts = program.command('conflicts').description('conflicts between a CRM and the co-sell record');
  conflicts
    .command('list')
    .addOption(new Option('--status <status>', 'which conflicts').choices(['pending', 'resolved', 'all']).default('pending'))
    .option('--connector <name>', 'one connector instance')
    .action(
      r.act(async (s, _args, o) => {
        const status = o['status'] === 'all' ? undefined : (o['status'] as 'pending' | 'resolved');
        const connector = typeof o['connector'] === 'string' ? o['connector'] : undefined;
        const list = await (await s.store()).listConflicts({ ...(status ? { status } : {}), ...(connector ? { connector } : {}), limit: 500 });
        s.print(list, () =>
          formatTable(
            ['ID', 'OPPORTUNITY', 'CONNECTOR', 'KIND', 'FIELD', 'CRM', 'CO-SELL', 'RULE', 'OUTCOME', 'STATUS'],
            list.map((c) => [c.id, c.opportunityId, c.connector, c.kind, c.field, c.crmValue, c.cosellValue, c.rule, c.outcome, c.status]),
          ),
        );
      }, () => 'list conflicts'),
    );
  conflicts.command('show').argument('<id>').action(
    r.act(async (s, [id = '']) => {
      const c = await (await s.store()).getConflict(positiveInt(id, 'conflict'));
      if (c === null) throw new NotFoundError('conflict', id);
      s.print(c, () => formatFields(Object.entries(c)));
    }, ([id]) => `show conflict ${id ?? ''}`),
  );
  conflicts
    .command('resolve')
    .argument('<id>')
    .description('settle a conflict: crm keeps the CRM side (a deleted record: the delete stands; partner-center: its stage), cosell keeps co-sell\'s (a deleted record: created again)')
    .addOption(new Option('--keep <side>', 'which value wins').choices(['crm', 'cosell']).makeOptionMandatory())
    .action(
      r.act(async (s, [id = ''], o) => {
        outcome(s, await (await s.review()).resolveConflict(positiveInt(id, 'conflict'), o['keep'] === 'crm' ? 'crm' : 'cosell'), `resolve conflict ${id}`);
      }, ([id]) => `resolve conflict ${id ?? ''}`),
    );

}

function registerDeadLetters(program: Command, r: Registrar): void {
  const letters = program.command('dead-letters').description('records that failed permanently');
  letters
    .command('list')
    .option('--all', 'include resolved ones')
    .option('--connector <name>', 'one connector instance')
    .action(
      r.act(async (s, _args, o) => {
        const connector = typeof o['connector'] === 'string' ? o['connector'] : undefined;
        const list = await (await s.store()).listDeadLetters({ unresolvedOnly: o['all'] !== true, ...(connector ? { connector } : {}), limit: 500 });
        s.print(list, () =>
          formatTable(
            ['ID', 'CONNECTOR', 'DIRECTION', 'EXTERNAL ID', 'OPPORTUNITY', 'CODE', 'ATTEMPTS', 'REASON', 'RESOLVED'],
            list.map((d) => [d.id, d.connector, d.direction, d.externalId, d.opportunityId, d.code, d.attempts, d.reason, d.resolvedAt]),
          ),
        );
      }, () => 'list dead letters'),
    );
  letters.command('retry').argument('<id>').action(
    r.act(async (s, [id = '']) => {
      outcome(s, await (await s.review()).retryDeadLetter(positiveInt(id, 'dead letter')), `retry dead letter ${id}`);
    }, ([id]) => `retry dead letter ${id ?? ''}`),
  );
}
