/**
 * A PostgreSQL lease on a connection of its own, outside the pool: a session advisory lock
 * (https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS) lives exactly as
 * long as its session, so holding it on a pooled connection would keep that connection from the
 * run it protects (a pool of 1 or 2 then deadlocks). The session is pinged while held, which keeps
 * `idle_session_timeout` from closing it and notices a lost session between the run's own queries.
 * When the session is lost (server restart, failover, pg_terminate_backend), the lock is gone on the
 * server: the lease's signal aborts with a LeaseLostError and the run stops without committing more.
 */
import { Client, type ClientConfig } from 'pg';
import { StateError } from '../errors';
import type { Logger } from '../log';

export class LeaseLostError extends StateError {
  constructor(lease: string, cause?: unknown) {
    super(`lease ${lease} lost: its database session ended`, cause);
  }
}

export function isLeaseLost(error: unknown): error is LeaseLostError {
  return error instanceof LeaseLostError;
}

export interface LeaseConnectionOptions {
  client: ClientConfig;
  key: string;
  keepaliveMs: number;
  logger?: Logger;
}

/**
 * Shown in pg_stat_activity beside the lock: which process holds which lease. PostgreSQL caps
 * application_name at 63 bytes, so the process id comes first.
 */
export function leaseApplicationName(key: string, pid: number = process.pid): string {
  return `cosell-sync[${pid}] lease ${key}`.slice(0, 63);
}

/** Holds the lease while `fn` runs; null at once when another session holds it. */
export async function withLeaseConnection<T>(options: LeaseConnectionOptions, fn: (signal: AbortSignal) => Promise<T>): Promise<T | null> {
  const { key, logger } = options;
  const controller = new AbortController();
  const lose = (cause: unknown): void => {
    if (controller.signal.aborted) return;
    logger?.warn('lease lost', { event: 'store.lease_lost', lease: key, err: cause });
    controller.abort(new LeaseLostError(key, cause));
  };
  const client = new Client({ ...options.client, application_name: leaseApplicationName(key) });
  // Registered before connecting: a session ended by the server must never be an unhandled 'error'.
  client.on('error', lose);
  let released = false;
  client.on('end', () => {
    if (!released) lose(new Error('connection ended'));
  });
  let locked = false;
  try {
    await client.connect();
    const result = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [key]);
    locked = result.rows[0]?.ok === true;
  } finally {
    if (!locked) {
      released = true;
      await client.end().catch(() => undefined);
    }
  }
  if (!locked) return null;
  const timer = setInterval(() => {
    client.query('SELECT 1').catch(lose);
  }, options.keepaliveMs);
  timer.unref();
  try {
    return await fn(controller.signal);
  } finally {
    clearInterval(timer);
    released = true;
    // Ending the session releases its advisory locks; the explicit unlock only makes it prompt in logs.
    if (!controller.signal.aborted) await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
