/**
 * `npm run chaos [-- --records N] [--seed S]`: the chaos run (chaos-run.ts) at N records each way
 * (default 5,000). Prints faults injected by kind, passes, seconds to quiet, records lost and
 * duplicated; exits 1 on any loss or duplicate.
 */
import { chaosFailures, runChaos } from './chaos-run';

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

function positive(name: string, fallback: number): number {
  const raw = argument(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`${name} must be a positive whole number, got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const records = positive('--records', 5000);
  const seedArg = argument('--seed');
  const result = await runChaos({
    records,
    ...(seedArg === undefined ? {} : { seed: positive('--seed', 1) }),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  const failures = chaosFailures(result);
  const print = (label: string, value: unknown): void => void process.stdout.write(`${label.padEnd(22)} ${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
  process.stdout.write('\nchaos run\n');
  print('seed', String(result.seed));
  print('records each way', String(result.records));
  print('faults injected', result.faults);
  print('store session killed', result.terminated ?? 'none');
  print('edits', result.edits);
  print('passes', result.passes);
  print('seconds to quiet', `${result.secondsToQuiet} after the last edit and the outage (${result.secondsTotal} from start)`);
  print('lost', result.lost);
  print('duplicated', result.duplicated);
  print('failed write calls', result.callFailures);
  print('dead letters', String(result.report.deadLetters));
  if (result.deadLetters.length > 0) print('dead letters by code', result.deadLetters);
  print('pending conflicts', String(result.report.pendingConflicts));
  print('outbox left', String(result.report.outbox));
  print('daemon exit', result.daemonExit);
  if (result.report.mismatches.length > 0) print('mismatches', result.report.mismatches);
  if (failures.length > 0) {
    process.stdout.write(`\nFAILED: ${failures.join('; ')}\n${result.tail.join('\n')}\n`);
    process.exitCode = 1;
  } else process.stdout.write('\nPASSED: nothing lost, nothing duplicated\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`chaos run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
