/**
 * The store-backed gauges of /metrics, refreshed without ever making a scrape wait on the store's
 * pool: one refresh at a time (a scrape during one joins it), and a scrape waits for it at most a
 * bound, then serves the gauges as last refreshed. A busy or broken store slows no scrape down.
 */
import type { App } from '../app';
import type { Metrics } from '../metrics';

const inFlight = new WeakMap<Metrics, Promise<void>>();

export async function refreshWithin(params: { metrics: Metrics; app: App; waitMs: number }): Promise<void> {
  const { metrics, app } = params;
  let refresh = inFlight.get(metrics);
  if (refresh === undefined) {
    refresh = metrics
      .refreshFromStore(app.store, app.clock.now())
      .catch((error: unknown) => {
        // Counters are still worth serving when the store-backed gauges cannot be refreshed.
        app.logger.warn('metrics refresh failed', { event: 'metrics.refresh', err: error });
      })
      .finally(() => inFlight.delete(metrics));
    inFlight.set(metrics, refresh);
  }
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, params.waitMs);
  });
  await Promise.race([refresh, bound]);
  clearTimeout(timer);
}
