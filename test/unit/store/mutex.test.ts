import { AsyncMutex, withLocalLease, writeMutexFor } from '../../../src/store/mutex';

describe('AsyncMutex', () => {
  it('runs critical sections one at a time, in arrival order, even when one fails', async () => {
    const mutex = new AsyncMutex();
    const log: string[] = [];
    const section = (name: string, fail = false) =>
      mutex.run(async () => {
        log.push(`${name}:in`);
        await new Promise((resolve) => setImmediate(resolve));
        log.push(`${name}:out`);
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([section('a'), section('b', true), section('c')]);
    expect(log).toEqual(['a:in', 'a:out', 'b:in', 'b:out', 'c:in', 'c:out']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('gives one writer queue per database file', () => {
    expect(writeMutexFor('/tmp/a.db')).toBe(writeMutexFor('/tmp/a.db'));
    expect(writeMutexFor('/tmp/a.db')).not.toBe(writeMutexFor('/tmp/b.db'));
  });
});

describe('withLocalLease', () => {
  it('returns null while the lease is held and frees it after the holder ends, even on error', async () => {
    let inner: string | null = 'not run';
    const outer = await withLocalLease('k', async () => {
      inner = await withLocalLease('k', async () => 'second');
      return 'first';
    });
    expect(outer).toBe('first');
    expect(inner).toBeNull();
    await expect(withLocalLease('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await withLocalLease('k', async () => 'free')).toBe('free');
  });
});
