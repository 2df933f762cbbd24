/**
 * Review actions (conflict resolution, dead-letter replay) write to the same links, outbox and CRM
 * records as a sync run of the instance: they run under the instance's lease, as a run does
 * (sqlite: the process lease; PostgreSQL: the advisory lock every worker takes). A person should
 * not wait long behind a run: after `waitMs` the caller queues its push for the next run instead.
 */
import type { StateStore } from '../store/types';

export const DEFAULT_REVIEW_LEASE_WAIT_MS = 10_000;
const POLL_MS = 100;

export const instanceLeaseName = (connector: string): string => `connector:${connector}`;

export type Leased<T> = { held: true; value: T } | { held: false };

export async function underInstanceLease<T>(params: { store: StateStore; connector: string; waitMs: number }, fn: () => Promise<T>): Promise<Leased<T>> {
  const deadline = Date.now() + params.waitMs;
  for (;;) {
    let ran = false;
    const value = await params.store.withLease(instanceLeaseName(params.connector), async () => {
      ran = true;
      return await fn();
    });
    if (ran) return { held: true, value: value as T };
    const left = deadline - Date.now();
    if (left <= 0) return { held: false };
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, left)));
  }
}
