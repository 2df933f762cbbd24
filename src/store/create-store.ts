/** Opens the configured store and brings its schema up to date. */
import type { Logger } from '../log';
import { KyselyStore } from './kysely-store';
import { storeOpenError } from './open-error';
import { openPostgres } from './postgres';
import { openSqlite } from './sqlite';
import type { StateStore } from './types';

export type StoreConfig =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; url: string; schema?: string; poolSize?: number; logger?: Logger; leaseKeepaliveMs?: number };

export const DEFAULT_SQLITE_PATH = './data/cosell-sync.db';

export async function createStore(config: StoreConfig): Promise<StateStore> {
  const driver = config.kind === 'sqlite' ? openSqlite(config.path) : await openPostgres(config).catch((error: unknown) => Promise.reject(storeOpenError(config, error)));
  const store = new KyselyStore(driver);
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw storeOpenError(config, error);
  }
  return store;
}
