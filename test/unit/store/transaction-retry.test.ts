import type { Kysely } from 'kysely';
import { isLostConnection, runTransaction } from '../../../src/store/transaction';
import type { Database } from '../../../src/store/schema';

/** A database whose first `failures` transactions fail: before BEGIN completed (`at: 'begin'`) or inside the work. */
function flakyDb(failures: number, error: Error, at: 'begin' | 'work'): { db: Kysely<Database>; begun: () => number; attempts: () => number } {
  let attempts = 0;
  let begun = 0;
  const db = {
    transaction: () => ({
      execute: async <T>(fn: (trx: unknown) => Promise<T>): Promise<T> => {
        attempts += 1;
        const failing = attempts <= failures;
        if (failing && at === 'begin') throw error;
        begun += 1;
        const result = await fn({});
        if (failing) throw error;
        return result;
      },
    }),
  };
  return { db: db as unknown as Kysely<Database>, begun: () => begun, attempts: () => attempts };
}

const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
const idleClosed = Object.assign(new Error('terminating connection due to idle-session timeout'), { code: '57P05' });

describe('runTransaction', () => {
  it('runs the transaction again on a fresh connection when BEGIN met a connection the server had closed', async () => {
    for (const error of [reset, idleClosed, new Error('Connection terminated unexpectedly')]) {
      const { db, begun, attempts } = flakyDb(1, error, 'begin');
      await expect(runTransaction(db, async () => 'done')).resolves.toBe('done');
      expect([attempts(), begun()]).toEqual([2, 1]);
    }
  });

  it('does not run again work that began: a connection lost after BEGIN fails the transaction', async () => {
    const { db, begun } = flakyDb(1, reset, 'work');
    await expect(runTransaction(db, async () => 'done')).rejects.toThrow('ECONNRESET');
    expect(begun()).toBe(1);
  });

  it('does not run again a transaction the database refused', async () => {
    const refused = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
    const { db, attempts } = flakyDb(1, refused, 'begin');
    await expect(runTransaction(db, async () => 'done')).rejects.toThrow('duplicate key');
    expect(attempts()).toBe(1);
    expect(isLostConnection(refused)).toBe(false);
  });

  it('gives up after three connections in a row were gone', async () => {
    const { db, attempts } = flakyDb(5, reset, 'begin');
    await expect(runTransaction(db, async () => 'done')).rejects.toThrow('ECONNRESET');
    expect(attempts()).toBe(3);
  });
});
