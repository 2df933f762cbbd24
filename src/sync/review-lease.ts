/**
 * Review actions (conflict resolution, dead-letter replay) write to the same links, outbox and CRM
 * records as a sync run of the instance: they run under the instance's lease, as a run does
 * (sqlite: the process lease; PostgreSQL: the advisory lock every worker takes). A person should
 * not wait long behind a run: after `waitMs` the caller queues its push for the next run instead.
 */
import { backoffMs, type RetryPolicy } from '../retry';
import type { StateStore } from '../store/types';

export const DEFAULT_REVIEW_LEASE_WAIT_MS = 10_000;
/** Asking again for a busy lease: 50 ms doubling to half a second, jittered (the shared backoff). */
const LEASE_POLL: RetryPolicy = { maxAttempts: Number.MAX_SAFE_INTEGER, initialDelayMs: 50, maxDelayMs: 500, backoffFactor: 2, jitter: 0.5 };

export const instanceLeaseName = (connector: string): string => `connector:${connector}`;

export type Leased<T> = { held: true; value: T } | { held: false };

export async function underInstanceLease<T>(params: { store: StateStore; connector: string; waitMs: number }, fn: () => Promise<T>): Promise<Leased<T>> {
  const deadline = Date.now() + params.waitMs;
  for (let attempt = 1; ; attempt += 1) {
    let ran = false;
    const value = await params.store.withLease(instanceLeaseName(params.connector), async () => {
      ran = true;
      return await fn();
    });
    if (ran) return { held: true, value: value as T };
    const left = deadline - Date.now();
    if (left <= 0) return { held: false };
    await new Promise((resolve) => setTimeout(resolve, Math.min(backoffMs(attempt, LEASE_POLL), left)));
  }
}
