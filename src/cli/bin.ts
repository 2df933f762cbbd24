#!/usr/bin/env node
/** Entry point of the `cosell-sync` command (package.json `bin`). */
import { defaultContext } from './default-context';
import { run } from './program';

run(process.argv, defaultContext()).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
