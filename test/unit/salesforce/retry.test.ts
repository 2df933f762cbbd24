import { ConnectorError } from '../../../src/errors';
import { decideRetry, outboxRetryDelayMs, validateRetryPolicy, withRetry, type RetryPolicy } from '../../../src/retry';

const policy: RetryPolicy = { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 1000, backoffFactor: 2, jitter: 0.5 };
const transient = new ConnectorError({ code: 'transient', retryable: true, message: 't' });

describe('decideRetry', () => {
  it.each([
    [1, 0, 50],
    [1, 1, 100],
    [2, 0, 100],
    [3, 1, 400],
    [3, 0.5, 300],
  ])('attempt %i with random %f waits %i ms', (attempt, r, wait) => {
    expect(decideRetry(transient, attempt, policy, () => r)).toEqual({ retry: true, reason: 'transient: backoff', waitMs: wait });
  });

  it('caps the backoff at maxDelayMs', () => {
    expect(decideRetry(transient, 3, { ...policy, maxDelayMs: 150, maxAttempts: 10 }, () => 1).waitMs).toBe(150);
  });

  it('honours retryAfterMs (capped) over the backoff', () => {
    const limited = new ConnectorError({ code: 'rate_limited', retryable: true, retryAfterMs: 700, message: 'slow down' });
    expect(decideRetry(limited, 1, policy)).toMatchObject({ retry: true, waitMs: 700 });
    expect(decideRetry(new ConnectorError({ code: 'rate_limited', retryable: true, retryAfterMs: 5000, message: 'x' }), 1, policy).waitMs).toBe(1000);
  });

  it('stops for non-retryable errors, untyped errors and after the last attempt', () => {
    expect(decideRetry(new ConnectorError({ code: 'validation', message: 'v' }), 1, policy).retry).toBe(false);
    expect(decideRetry(new Error('plain'), 1, policy).retry).toBe(false);
    expect(decideRetry(transient, 4, policy)).toMatchObject({ retry: false, reason: 'gave up after 4 attempts' });
  });

  it('rejects invalid policies', () => {
    expect(() => validateRetryPolicy({ ...policy, maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => validateRetryPolicy({ ...policy, maxDelayMs: 1 })).toThrow(/maxDelayMs/);
    expect(() => validateRetryPolicy({ ...policy, jitter: 2 })).toThrow(/jitter/);
  });
});

describe('withRetry', () => {
  const fast: RetryPolicy = { ...policy, initialDelayMs: 1, maxDelayMs: 2 };
  it('retries retryable failures until success and reports each retry', async () => {
    let calls = 0;
    const retries: number[] = [];
    const out = await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw transient;
        return 'done';
      },
      { policy: fast, onRetry: ({ attempt }) => retries.push(attempt) },
    );
    expect(out).toBe('done');
    expect(retries).toEqual([1, 2]);
  });

  it('rethrows the original error when it is not retryable or attempts run out', async () => {
    const bad = new ConnectorError({ code: 'validation', message: 'nope' });
    let calls = 0;
    await expect(withRetry(async () => { calls += 1; throw bad; }, { policy: fast })).rejects.toBe(bad);
    expect(calls).toBe(1);
    calls = 0;
    await expect(withRetry(async () => { calls += 1; throw transient; }, { policy: fast })).rejects.toBe(transient);
    expect(calls).toBe(4);
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    const slow: RetryPolicy = { ...policy, initialDelayMs: 10_000, maxDelayMs: 10_000, jitter: 0 };
    const p = withRetry(async () => { throw transient; }, { policy: slow, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 10);
    await expect(p).rejects.toThrow('stop');
  });
});

describe('outboxRetryDelayMs: outbox entries back off on the shared policy', () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [7, 60_000],
    [40, 60_000],
  ])('after failure %i the entry waits %i ms', (failures, wait) => {
    expect(outboxRetryDelayMs(failures)).toBe(wait);
  });

  it("a server's Retry-After comes first", () => {
    expect(outboxRetryDelayMs(3, 15_000)).toBe(15_000);
  });
});
