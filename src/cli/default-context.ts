/** The real CliContext of a terminal session: process streams, system clock, the configured store and app. */
import os from 'node:os';
import { systemClock } from '../core/clock';
import { startDaemon } from '../daemon/daemon';
import { loadConfig } from '../config/load';
import { createLogger } from '../log';
import { createApp, describeCrms, loginPartnerCenterWithConfig, startSimulators } from '../main';
import { createStore } from '../store';
import { validateConfigFile } from './config-validate';
import type { CliContext } from './context';
import { storeConfigFor } from './store-target';

function userName(): string {
  try {
    return os.userInfo().username || 'cli';
  } catch {
    // No passwd entry (some containers): the change is still attributed to the CLI.
    return 'cli';
  }
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
    startSimulators,
    loginPartnerCenter: loginPartnerCenterWithConfig,
    validateConfig: async (file, environment, options) => {
      const plain = validateConfigFile(file, { env: environment });
      if (options?.checkCrm !== true || !plain.ok) return plain;
      const metadata = await describeCrms(loadConfig(file, environment), createLogger({ level: 'warn' }));
      return validateConfigFile(file, { env: environment, metadata });
    },
  };
}
