/** The store suite on SQLite: a temporary database file per test. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore } from '../../../src/store';
import { storeSuite } from './store-suite';

const root = mkdtempSync(join(tmpdir(), 'cosell-store-'));
let counter = 0;

afterAll(() => rmSync(root, { recursive: true, force: true }));

storeSuite('SQLite', async () => {
  counter += 1;
  // A sub-directory that does not exist yet: createStore makes it.
  const path = join(root, `db-${counter}`, 'state.db');
  return {
    open: () => createStore({ kind: 'sqlite', path }),
    drop: async () => rmSync(join(root, `db-${counter}`), { recursive: true, force: true }),
  };
});

describe('SQLite file setup', () => {
  it('creates the directory, opens the file in WAL mode and reopens it without migrating twice', async () => {
    const path = join(root, 'nested', 'deeper', 'state.db');
    const first = await createStore({ kind: 'sqlite', path });
    await first.setCursor('sf', 'c1', new Date('2026-03-02T09:00:00.000Z'));
    expect(existsSync(`${path}-wal`)).toBe(true);
    await first.close();
    const second = await createStore({ kind: 'sqlite', path });
    expect((await second.getCursor('sf'))?.cursor).toBe('c1');
    expect(second.dialect).toBe('sqlite');
    await second.close();
  });
});
