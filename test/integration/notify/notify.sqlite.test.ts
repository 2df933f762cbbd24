/** The notification suite on SQLite: a temporary database file per test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore } from '../../../src/store';
import { notifySuite } from './notify-suite';

const root = mkdtempSync(join(tmpdir(), 'cosell-notify-'));
let counter = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

notifySuite('SQLite', async () => {
  counter += 1;
  const dir = join(root, `db-${counter}`);
  return { open: () => createStore({ kind: 'sqlite', path: join(dir, 'state.db') }), drop: async () => rmSync(dir, { recursive: true, force: true }) };
});
