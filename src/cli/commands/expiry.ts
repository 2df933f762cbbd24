/** `expiry --once`: one R13 expiry sweep now, against the configured store or `--store`. */
import type { Command } from 'commander';
import { runExpirySweep } from '../../store/expiry-sweep';
import type { Registrar } from '../program';

export function registerExpiryCommand(program: Command, r: Registrar): void {
  program
    .command('expiry')
    .description('run the R13 expiry sweep once (needs --once; `start` runs it on its schedule)')
    .option('--once', 'sweep once and exit')
    .action(
      r.act(async (s, _args, o) => {
        if (o['once'] !== true) return s.usage('expiry needs --once (use `start` for the scheduled sweep)');
        const store = await s.store();
        // Under the daemons' lease: a sweep never runs twice at once, here or in a running daemon.
        const result = await store.withLease('expiry-sweep', () => runExpirySweep(store, s.ctx.clock));
        if (result === null) {
          s.code = 1;
          s.print({ ok: false, expired: [], message: 'another process is sweeping now' }, () => 'another process is sweeping now\n');
          return;
        }
        s.print({ ok: true, expired: result.expired }, () => `expired ${result.expired.length} opportunit${result.expired.length === 1 ? 'y' : 'ies'}${result.expired.length > 0 ? `: ${result.expired.join(', ')}` : ''}\n`);
      }, () => 'expiry sweep'),
    );
}
