/** `cosell-sync simulators`: the CRM and Partner Center simulators on their own, to try a configuration against them. */
import type { Command } from 'commander';
import { UsageError } from '../usage-error';
import type { RunningSimulators } from '../context';
import type { Registrar } from '../program';

function port(value: unknown, flag: string): number {
  const n = Number(value ?? 0);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag} must be a port number (0-65535), not ${String(value)}`);
  return n;
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function human(sims: RunningSimulators): string {
  const { salesforce: sf, dynamics: dyn, partnerCenter: pc } = sims;
  return [
    `Salesforce simulator: ${sf.url} (${sf.records} opportunities)`,
    `  loginUrl: ${sf.loginUrl}`,
    `  auth: { flow: client_credentials, clientId: ${sf.clientId}, clientSecret: ${sf.clientSecret} }`,
    `Dynamics 365 simulator: ${dyn.url} (${dyn.records} opportunities)`,
    `  url: ${dyn.url}`,
    `  auth: { tenantId: ${dyn.tenantId}, clientId: ${dyn.clientId}, clientSecret: ${dyn.clientSecret}, authority: ${dyn.authority} }`,
    `Partner Center simulator: ${pc.apiBase} (${pc.referrals} referrals)`,
    `  apiBase: ${pc.apiBase}`,
    `  auth: { tenantId: ${pc.tenantId}, clientId: <any>, authority: ${pc.authority} }`,
    `  webhook: { enabled: true, certificateHosts: [${pc.certificateHost}] }`,
    'Running until SIGINT (Ctrl-C) or SIGTERM.',
    '',
  ].join('\n');
}

export function registerSimulatorsCommand(program: Command, r: Registrar): void {
  program
    .command('simulators')
    .description('run the Salesforce, Dynamics 365 and Partner Center simulators on their own, printing their URLs and credentials')
    .option('--salesforce-port <port>', 'port of the Salesforce simulator (default: any free one)')
    .option('--dynamics-port <port>', 'port of the Dynamics 365 simulator (default: any free one)')
    .option('--partner-center-port <port>', 'port of the Partner Center simulator (default: any free one)')
    .option('--empty', 'start without the sample opportunities and referrals')
    .action(
      r.act(async (s, _args, o) => {
        if (s.ctx.startSimulators === undefined) throw new Error('simulators are not available here');
        const sims = await s.ctx.startSimulators({
          salesforcePort: port(o['salesforcePort'], '--salesforce-port'),
          dynamicsPort: port(o['dynamicsPort'], '--dynamics-port'),
          partnerCenterPort: port(o['partnerCenterPort'], '--partner-center-port'),
          empty: o['empty'] === true,
        });
        try {
          const { close: _close, ...shown } = sims;
          s.print(shown, () => human(sims));
          await (s.ctx.untilStopped?.() ?? untilSignal());
        } finally {
          await sims.close();
        }
      }, () => 'simulators'),
    );
}
