/**
 * `cosell-sync start`: the scheduler, the HTTP endpoints and the signal handlers around one App.
 * Stopping (a signal or `stop()`) stops new runs, aborts the running ones (the engine finishes its
 * current page), waits for them within the shutdown bound, then closes the HTTP server and the app.
 */
import type { FastifyInstance } from 'fastify';
import type { App } from '../app';
import { createHttpServer } from '../http/server';
import { Metrics } from '../metrics';
import { runExpirySweep } from '../store/expiry-sweep';
import { nodeCronSchedule, type ScheduleFn } from './cron';
import { Liveness } from './liveness';
import { NotifyTicker } from './notify-ticker';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, Scheduler } from './scheduler';
import { installSignalHandlers, type InstalledSignals, type SignalSource } from './signals';

export interface DaemonOptions {
  /** Listen for SIGTERM/SIGINT (on `signalSource`, default the process). */
  installSignalHandlers?: boolean;
  signalSource?: SignalSource;
  /** Default node-cron. */
  schedule?: ScheduleFn;
  /** false: no HTTP server; an object overrides the configured address (tests pass port 0). */
  http?: false | { port?: number; host?: string };
  shutdownTimeoutMs?: number;
  runOnStart?: boolean;
}

export interface DaemonHandle {
  /** Resolves once everything is closed; safe to call more than once. */
  stop(reason?: string): Promise<void>;
  /** Resolves when the daemon has stopped; rejects when it could not start. */
  done: Promise<void>;
  /** Resolves once scheduled and listening, with the HTTP address (null without HTTP). */
  ready: Promise<{ httpAddress: string | null }>;
  scheduler: Scheduler;
  /** The SIGTERM/SIGINT handler, when installed. */
  signals: InstalledSignals | null;
}

export function startDaemon(app: App, options: DaemonOptions = {}): DaemonHandle {
  const metrics = app.metrics ?? new Metrics();
  const logger = app.logger.child({ module: 'daemon' });
  const state = { configLoaded: false, stopping: false };
  const liveness = new Liveness(app.config.http.stalledAfterMs);
  const notifier = app.notifier?.active === true ? app.notifier : null;
  const ticker = notifier
    ? new NotifyTicker({ tick: (signal) => app.store.withLease('notify', () => notifier.tick(signal)), signal: () => scheduler.signal, logger })
    : null;
  const scheduler: Scheduler = new Scheduler({
    liveness,
    ...(ticker ? { afterRun: () => ticker.request() } : {}),
    engine: app.engine,
    logger,
    metrics,
    schedule: options.schedule ?? nodeCronSchedule,
    reportRuns: app.engineReportsRuns !== true,
    isPaused: async (connector) => (await app.store.getRunControl(connector))?.paused === true,
    sweep: () => app.store.withLease('expiry-sweep', () => runExpirySweep(app.store, app.clock, logger)),
  });
  const server: FastifyInstance | null =
    options.http === false
      ? null
      : createHttpServer({
          app,
          metrics,
          liveness,
          readiness: () => ({ ...state }),
          busy: () => scheduler.busy(),
          runSync: (connector, dryRun) => (dryRun ? app.engine.runOnce({ connector, dryRun }) : scheduler.runInstance(connector)),
        });
  let stopped: Promise<void> | null = null;
  let resolveDone: () => void = () => undefined;
  let rejectDone: (error: unknown) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });

  const shutdown = async (reason: string): Promise<void> => {
    state.stopping = true;
    logger.info('daemon stopping', { event: 'daemon.stop', reason });
    const { unfinished } = await scheduler.stop(reason, options.shutdownTimeoutMs ?? app.config.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
    await ticker?.idle();
    signals?.uninstall();
    if (server !== null) await server.close();
    if (unfinished.length > 0) {
      // Runs stop at their next batch boundary: one more bound for a slow batch to settle before the
      // store closes; a run hung past that (a CRM that never answers) cannot hold the stop forever.
      logger.warn('waiting for running syncs to reach a batch boundary before closing the store', { event: 'daemon.stop', unfinished });
      const bound = options.shutdownTimeoutMs ?? app.config.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([scheduler.settled(), new Promise<void>((resolve) => (timer = setTimeout(resolve, bound)))]);
      clearTimeout(timer);
    }
    await app.close();
    logger.info('daemon stopped', { event: 'daemon.stopped', reason, unfinished });
  };
  let startError: unknown = null;
  const stop = (reason = 'stop requested'): Promise<void> => {
    stopped ??= shutdown(reason).then(
      () => (startError === null ? resolveDone() : rejectDone(startError)),
      (error: unknown) => {
        rejectDone(startError ?? error);
        throw error;
      },
    );
    return stopped;
  };

  const signals = options.installSignalHandlers === true ? installSignalHandlers({ stop, logger, ...(options.signalSource ? { source: options.signalSource } : {}) }) : null;

  const ready = (async () => {
    let httpAddress: string | null = null;
    if (server !== null) {
      const http = options.http === false ? {} : (options.http ?? {});
      httpAddress = await server.listen({ port: http.port ?? app.config.http.port, host: http.host ?? app.config.http.host });
      logger.info('http listening', { event: 'http.listening', address: httpAddress });
    }
    scheduler.start({
      connectors: app.config.connectors,
      ...(app.config.expiry ? { sweepSchedule: app.config.expiry.schedule } : {}),
      runOnStart: options.runOnStart ?? app.config.runOnStart ?? false,
    });
    state.configLoaded = true;
    return { httpAddress };
  })();
  ready.catch(async (error: unknown) => {
    logger.error('daemon failed to start', { event: 'daemon.start', err: error });
    // `done` reports the start failure once everything opened so far is closed again.
    startError = error;
    await stop('start failed').catch(() => undefined);
    rejectDone(error);
  });

  return { stop, done, ready, scheduler, signals };
}
