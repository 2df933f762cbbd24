/** Which store a store-only command opens: `--store`, else COSELL_SYNC_STORE, else the configuration's; none of them is a usage error. */
import { loadConfig } from '../config/load';
import type { StoreConfig } from '../store';
import { NO_STORE, UsageError } from './usage-error';

export function storeConfigFor(target: { store: string | undefined; configPath: string | undefined }, env: NodeJS.ProcessEnv): StoreConfig {
  const spec = target.store ?? env['COSELL_SYNC_STORE'];
  if (spec !== undefined && spec !== '') return /^postgres(ql)?:\/\//.test(spec) ? { kind: 'postgres', url: spec } : { kind: 'sqlite', path: spec };
  if (target.configPath !== undefined && target.configPath !== '') {
    const store = loadConfig(target.configPath, env).config.store;
    return store.driver === 'sqlite' ? { kind: 'sqlite', path: store.path } : { kind: 'postgres', url: store.url, poolSize: store.poolSize };
  }
  throw new UsageError(NO_STORE);
}
