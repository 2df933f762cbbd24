/* global require, module, process */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS hook loaded by `node -r` before any module system */
/**
 * A require hook that runs the TypeScript sources without a build step, for tests that spawn the
 * daemon as a child process: `node -r ./test/helpers/register-ts.js src/cli/bin.ts ...`.
 * Each `.ts` file is transpiled on load (no type check: `tsc --noEmit` does that) to CommonJS,
 * with an inline source map so stack traces point at the TypeScript lines.
 */
'use strict';
const fs = require('node:fs');
const ts = require('typescript');

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  resolveJsonModule: true,
  inlineSourceMap: true,
  inlineSources: false,
};

function compileTs(mod, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename, reportDiagnostics: false });
  mod._compile(outputText, filename);
}

// Node resolves extensionless relative imports through this table, so `./foo` finds `./foo.ts`.
require.extensions['.ts'] = compileTs;
process.setSourceMapsEnabled(true);

module.exports = { compileTs };
