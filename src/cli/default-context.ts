/** The real CliContext of a terminal session: process streams, system clock, the configured store and app. */
import os from 'node:os';
import { loadConfig } from '../config/load';
import { systemClock } from '../core/clock';
import { startDaemon } from '../daemon/daemon';
import { createApp } from '../main';
import { createStore, type StoreConfig } from '../store';
import { validateConfigFile } from './config-validate';
import { DEFAULT_STORE_PATH, type CliContext } from './context';

function userName(): string {
  try {
    return os.userInfo().username || 'cli';
  } catch {
    // No passwd entry (some containers): the change is still attributed to the CLI.
    return 'cli';
  }
}

/** `--store` (or COSELL_SYNC_STORE) wins; else the configuration's store; else ./data/cosell-sync.db. */
export function storeConfigFor(target: { store: string | undefined; configPath: string | undefined }, env: NodeJS.ProcessEnv): StoreConfig {
  const spec = target.store ?? env['COSELL_SYNC_STORE'];
  if (spec !== undefined && spec !== '') return /^postgres(ql)?:\/\//.test(spec) ? { kind: 'postgres', url: spec } : { kind: 'sqlite', path: spec };
  if (target.configPath !== undefined) {
    const store = loadConfig(target.configPath, env).config.store;
    return store.driver === 'sqlite' ? { kind: 'sqlite', path: store.path } : { kind: 'postgres', url: store.url, poolSize: store.poolSize };
  }
  return { kind: 'sqlite', path: DEFAULT_STORE_PATH };
}

export function defaultContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env,
    clock: systemClock,
    userName: userName(),
    openStore: async (target) => {
      const store = await createStore(storeConfigFor(target, env));
      return { store, release: () => store.close() };
    },
    createApp,
    startDaemon,
    validateConfig: async (file, environment) => validateConfigFile(file, { env: environment }),
  };
}
