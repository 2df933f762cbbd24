/**
 * `cosell-sync login partner-center --config FILE`: the delegated sign-in Partner Center's
 * Referrals API needs. Runs the device code flow: the verification URL and code go to stderr (the
 * terminal; stdout keeps the result, JSON with --json), someone signs in with a Referrals admin
 * account, and the token cache is stored encrypted in the configured store (key in the
 * `partnerCenter.auth.keyEnv` variable, default COSELL_TOKEN_KEY).
 */
import type { Command } from 'commander';
import type { Registrar } from '../program';
import { NO_CONFIG, UsageError } from '../usage-error';

export function registerLoginCommand(program: Command, r: Registrar): void {
  const login = program.command('login').description('sign in to a service that needs a person (delegated access)');
  login
    .command('partner-center')
    .description('sign in to Partner Center with the device code flow; the token cache is stored encrypted')
    .option('--timeout <seconds>', 'stop waiting for the sign-in after this many seconds (default: the code lifetime, 15 minutes)')
    .action(
      r.act(async (s, _args, o) => {
        const configPath = s.configPath();
        if (configPath === undefined || configPath === '') throw new UsageError(NO_CONFIG);
        let timeoutSeconds: number | undefined;
        if (o['timeout'] !== undefined) {
          timeoutSeconds = Number(o['timeout']);
          if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1) throw new UsageError(`--timeout: expected a whole number of seconds, got ${String(o['timeout'])}`);
        }
        const run = s.ctx.loginPartnerCenter;
        if (run === undefined) throw new Error('Partner Center sign-in is not available in this build');
        const result = await run({
          configPath,
          env: s.ctx.env,
          onDeviceCode: (prompt) => {
            s.ctx.stderr.write(`${prompt.message}\n`);
            s.ctx.stderr.write(`  URL:  ${prompt.verificationUri}\n  code: ${prompt.userCode}\nwaiting for the sign-in (the code expires in ${Math.round(prompt.expiresInSeconds / 60)} min) ...\n`);
          },
          ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }),
        });
        s.print({ ok: true, ...result }, () => `signed in to Partner Center as ${result.account ?? 'unknown'}${result.name ? ` (${result.name})` : ''}, tenant ${result.tenantId ?? 'unknown'}; the token cache is stored encrypted\n`);
      }, () => 'login partner-center'),
    );
}
