/**
 * Retry policy as data plus a pure decision (style.md §2.5): `decideRetry` says whether a failure
 * is worth another attempt and how long to wait, honouring a server's Retry-After
 * (`retryAfterMs`) and otherwise using capped exponential backoff with full jitter.
 * `withRetry` runs a function under that decision on top of p-retry.
 */
import pRetry, { AbortError } from 'p-retry';
import { isSyncError } from './errors';

export interface RetryPolicy {
  /** Total attempts, the first included (1 = no retry). */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  backoffFactor: number;
  /** 0..1: share of the delay that is randomised. */
  jitter: number;
}

export const DEFAULT_RETRY_POLICY = {
  maxAttempts: 5,
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  backoffFactor: 2,
  jitter: 0.5,
} as const satisfies RetryPolicy;

export interface RetryDecision {
  retry: boolean;
  reason: string;
  waitMs: number;
}

/** Rejects nonsensical policies early instead of looping or never retrying by accident. */
export function validateRetryPolicy(policy: RetryPolicy): RetryPolicy {
  const bad: string[] = [];
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) bad.push('maxAttempts must be an integer >= 1');
  if (!(policy.initialDelayMs >= 0)) bad.push('initialDelayMs must be >= 0');
  if (!(policy.maxDelayMs >= policy.initialDelayMs)) bad.push('maxDelayMs must be >= initialDelayMs');
  if (!(policy.backoffFactor >= 1)) bad.push('backoffFactor must be >= 1');
  if (!(policy.jitter >= 0 && policy.jitter <= 1)) bad.push('jitter must be within 0..1');
  if (bad.length > 0) throw new RangeError(`invalid retry policy: ${bad.join('; ')}`);
  return policy;
}

/**
 * `attempt` is the 1-based number of the attempt that just failed. `random` is injectable so the
 * jitter is testable.
 */
export function decideRetry(err: unknown, attempt: number, policy: RetryPolicy, random: () => number = Math.random): RetryDecision {
  if (!isSyncError(err)) return { retry: false, reason: 'not a typed error', waitMs: 0 };
  if (!err.retryable) return { retry: false, reason: `${err.code} is not retryable`, waitMs: 0 };
  if (attempt >= policy.maxAttempts) return { retry: false, reason: `gave up after ${attempt} attempts`, waitMs: 0 };
  if (err.retryAfterMs !== undefined && err.retryAfterMs >= 0) {
    return { retry: true, reason: `${err.code}: server asked to wait`, waitMs: Math.min(err.retryAfterMs, policy.maxDelayMs) };
  }
  return { retry: true, reason: `${err.code}: backoff`, waitMs: backoffMs(attempt, policy, random) };
}

/** The policy's capped exponential backoff with jitter after the `attempt`-th failure (1-based). */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.backoffFactor ** (Math.max(1, attempt) - 1));
  return Math.round(base * (1 - policy.jitter) + base * policy.jitter * random());
}

/**
 * Outbox entries that failed wait 1 s, 2 s, 4 s ... up to a minute before the next run tries them
 * again (no jitter: runs are already spread by their schedule). A server's Retry-After comes first.
 */
export const OUTBOX_RETRY_POLICY = {
  maxAttempts: Number.MAX_SAFE_INTEGER,
  initialDelayMs: 1_000,
  maxDelayMs: 60_000,
  backoffFactor: 2,
  jitter: 0,
} as const satisfies RetryPolicy;

/** How long an outbox entry that failed for the `failures`-th time waits; `retryAfterMs` from the server wins. */
export function outboxRetryDelayMs(failures: number, retryAfterMs?: number): number {
  return retryAfterMs ?? backoffMs(failures, OUTBOX_RETRY_POLICY);
}

export interface WithRetryOptions {
  policy: RetryPolicy;
  signal?: AbortSignal;
  onRetry?: (info: { error: unknown; attempt: number; decision: RetryDecision }) => void;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Runs `fn` until it succeeds or `decideRetry` says stop; the original error is rethrown.
 * p-retry drives the loop; its own backoff is zeroed and the wait comes from `decideRetry`.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: WithRetryOptions): Promise<T> {
  const { policy, signal, onRetry } = options;
  validateRetryPolicy(policy);
  return pRetry(
      async (attempt) => {
        try {
          return await fn(attempt);
        } catch (error) {
          const decision = decideRetry(error, attempt, policy);
          if (!decision.retry) {
            // p-retry stops on AbortError and rethrows its originalError, so callers see the original.
            throw new AbortError(error instanceof Error ? error : new Error(String(error)));
          }
          onRetry?.({ error, attempt, decision });
          await sleep(decision.waitMs, signal);
          throw error instanceof Error ? error : new Error(String(error));
        }
      },
    { retries: Math.max(0, policy.maxAttempts - 1), minTimeout: 0, maxTimeout: 0, factor: 1, randomize: false, ...(signal ? { signal } : {}) },
  );
}
