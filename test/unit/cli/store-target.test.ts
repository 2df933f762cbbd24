/** Which store the store-only commands open. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { storeConfigFor } from '../../../src/cli/store-target';
import { UsageError } from '../../../src/cli/usage-error';

describe('storeConfigFor', () => {
  it.each([
    [{ store: 'postgres://u@db:5432/cosell', configPath: 'ignored.yaml' }, {}, { kind: 'postgres', url: 'postgres://u@db:5432/cosell' }],
    [{ store: 'postgresql://db/x', configPath: undefined }, {}, { kind: 'postgres', url: 'postgresql://db/x' }],
    [{ store: '/var/lib/cosell.db', configPath: undefined }, {}, { kind: 'sqlite', path: '/var/lib/cosell.db' }],
    [{ store: undefined, configPath: undefined }, { COSELL_SYNC_STORE: 'env.db' }, { kind: 'sqlite', path: 'env.db' }],
  ])('%j with env %j opens %j', (target, env, expected) => {
    expect(storeConfigFor(target, env)).toEqual(expected);
  });

  it('is a usage error, saying how to give one, when no store is named anywhere', () => {
    expect(() => storeConfigFor({ store: undefined, configPath: undefined }, {})).toThrow(UsageError);
    expect(() => storeConfigFor({ store: undefined, configPath: '' }, { COSELL_SYNC_STORE: '' })).toThrow(/--store .*COSELL_SYNC_STORE.*--config/);
  });

  it('reads the store of the configuration file when no --store is given', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cosell-store-target-'));
    try {
      const file = path.join(dir, 'cosell-sync.yaml');
      writeFileSync(file, 'store:\n  driver: postgres\n  url: ${PG_URL}\nconnectors: []\n');
      expect(storeConfigFor({ store: undefined, configPath: file }, { PG_URL: 'postgres://x@h/db' })).toMatchObject({ kind: 'postgres', url: 'postgres://x@h/db' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
