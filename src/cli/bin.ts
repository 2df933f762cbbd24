#!/usr/bin/env node
/** Entry point of the `cosell-sync` command (package.json `bin`). */
import { defaultContext } from './default-context';
import { run } from './program';

/** After the command is done, leftovers (a sync that outlived the stop bound) get this long before exit. */
const EXIT_GRACE_MS = 5000;

run(process.argv, defaultContext()).then(
  (code) => {
    process.exitCode = code;
    // Unref'd: a process with nothing left running exits at once; only leftovers wait for it.
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
