/** Temp-file configurations for the validation tests: real files, as the daemon reads them. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.join(__dirname, '../../..');
export const SHIPPED_SF = fs.readFileSync(path.join(ROOT, 'config/mappings/salesforce.yaml'), 'utf8');
export const SHIPPED_DYN = fs.readFileSync(path.join(ROOT, 'config/mappings/dynamics.yaml'), 'utf8');

/** A minimal valid configuration: one Salesforce connector, line numbers as written here. */
export const BASE_CONFIG = `store:
  driver: sqlite
  path: ./db.sqlite
connectors:
  - name: sf
    kind: salesforce
    auth:
      flow: client_credentials
      clientId: abc
      clientSecret: \${SF_SECRET}
    participation:
      - { field: CoSell_Sync__c, op: eq, value: true }
    schedule: '*/5 * * * *'
    mapping: mappings/sf.yaml
`;

export const ENV = { SF_SECRET: 'from-env' };

export interface Workspace {
  dir: string;
  config: string;
  /** Path of a file as issues show it (relative to the config file's directory, as given). */
  shown(name: string): string;
}

const created: string[] = [];

/** Removes every temp directory this file's tests created (call from afterAll). */
export function removeWorkspaces(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes the files into a fresh temp directory; `files` maps relative path -> content. */
export function workspace(files: Record<string, string>): Workspace {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cosell-config-'));
  created.push(dir);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return { dir, config: path.join(dir, 'config.yaml'), shown: (name) => path.join(dir, name) };
}

/** Replaces exactly one occurrence (the test fails loudly if the anchor text moved). */
export function edit(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`anchor not unique: ${from}`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** 1-based line and column of the first occurrence of `needle` (optionally past the first `after`). */
export function position(text: string, needle: string, after = ''): string {
  const start = after === '' ? 0 : text.indexOf(after) + after.length;
  const at = text.indexOf(needle, start);
  if (start < after.length || at < 0) throw new Error(`not found: ${needle}`);
  const before = text.slice(0, at).split('\n');
  return `${before.length}:${(before[before.length - 1] ?? '').length + 1}`;
}
