/**
 * SIGTERM and SIGINT start a graceful stop. A second signal while stopping is only logged: the
 * stop is already bounded by the shutdown timeout.
 */
import type { Logger } from '../log';

export interface SignalSource {
  on(signal: NodeJS.Signals, handler: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, handler: (signal: NodeJS.Signals) => void): unknown;
}

export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

export interface InstalledSignals {
  /** What the process calls on a signal; tests call it directly. */
  handler(signal: NodeJS.Signals): void;
  uninstall(): void;
}

export function installSignalHandlers(params: {
  stop: (reason: string) => Promise<void>;
  logger: Logger;
  source?: SignalSource;
}): InstalledSignals {
  const source = params.source ?? process;
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      params.logger.warn('stop already in progress', { event: 'daemon.signal', signal });
      return;
    }
    stopping = true;
    params.logger.info('stopping on signal', { event: 'daemon.signal', signal });
    params.stop(signal).catch((error: unknown) => params.logger.error('stop failed', { event: 'daemon.stop', err: error }));
  };
  for (const signal of STOP_SIGNALS) source.on(signal, handler);
  return {
    handler,
    uninstall: () => {
      for (const signal of STOP_SIGNALS) source.off(signal, handler);
    },
  };
}
