/**
 * `run-control status|pause|resume|full-resync|resync-record`: operator actions on connector
 * instances, recorded with the CLI user's name. A running daemon reads the pause before each run.
 */
import type { Command } from 'commander';
import { OperatorActions } from '../../services/operator-actions';
import type { PlannedWrite } from '../../sync/types';
import type { Registrar } from '../program';
import type { Session } from '../session';
import { formatTable } from '../table';

async function actions(s: Session): Promise<OperatorActions> {
  const app = await s.openApp();
  return new OperatorActions({ store: app.store, engine: app.engine, clock: s.ctx.clock, logger: app.logger });
}

const actor = (s: Session): string => `cli:${s.ctx.userName}`;

function plannedTable(planned: readonly PlannedWrite[]): string {
  if (planned.length === 0) return 'nothing to write\n';
  return formatTable(
    ['TARGET', 'ACTION', 'OPPORTUNITY', 'CRM RECORD', 'CHANGES', 'WHY'],
    planned.map((p) => [p.target === 'crm' ? `crm (${p.connector})` : 'co-sell', p.action, p.opportunityId, p.externalId, JSON.stringify(p.changes), p.reason]),
  );
}

export function registerRunControlCommands(program: Command, r: Registrar): void {
  const rc = program.command('run-control').description('pause, resume and resync connector instances');
  rc.command('status').description('paused or running, per connector instance').action(
    r.act(async (s) => {
      const rows = await (await actions(s)).runControl();
      s.print(rows, () => formatTable(['CONNECTOR', 'STATE', 'BY', 'SINCE', 'REASON'], rows.map((x) => [x.connector, x.paused ? 'paused' : 'running', x.changedBy, x.changedAt, x.reason])));
    }, () => 'run control status'),
  );
  rc.command('pause').argument('<connector>').option('--reason <text>', 'why (shown to other operators)').description('no run of the instance starts until resumed').action(
    r.act(async (s, [connector = ''], o) => {
      const control = await (await actions(s)).pause({ connector, actor: actor(s), reason: typeof o['reason'] === 'string' ? o['reason'] : null });
      s.print(control, () => `${connector} paused\n`);
    }, ([c]) => `pause ${c ?? ''}`),
  );
  rc.command('resume').argument('<connector>').action(
    r.act(async (s, [connector = '']) => {
      const control = await (await actions(s)).resume({ connector, actor: actor(s) });
      s.print(control, () => `${connector} resumed\n`);
    }, ([c]) => `resume ${c ?? ''}`),
  );
  rc.command('full-resync').argument('<connector>').description('forget the cursor: the next run reads every record').action(
    r.act(async (s, [connector = '']) => {
      const result = await (await actions(s)).fullResync({ connector, actor: actor(s) });
      if (!result.ok) s.code = 1;
      s.print(result, () => `${result.message}\n`);
    }, ([c]) => `full resync ${c ?? ''}`),
  );
  rc.command('resync-record').argument('<connector>').argument('<crmId>').option('--dry-run', 'only show what would be written where, and why')
    .description('re-read one CRM record and sync it now').action(
      r.act(async (s, [connector = '', crmId = ''], o) => {
        const result = await (await actions(s)).resyncRecord({ connector, externalId: crmId, dryRun: o['dryRun'] === true, actor: actor(s) });
        if (!result.ok) s.code = 1;
        s.print(result, () => `${result.message}\n${result.dryRun && result.ok ? plannedTable(result.planned) : ''}`);
        if (!result.ok) s.ctx.stderr.write(`error: ${result.message}\n`);
      }, ([c, id]) => `resync record ${id ?? ''} of ${c ?? ''}`),
    );
}
