/** Savepoints: one record's writes undone alone while the page's transaction goes on. */
import { isValueRefusedByStore } from '../../../src/store/data-errors';
import { T0 } from '../../unit/core/builders';
import type { StoreContext } from './harness';

export function savepointTests(ctx: StoreContext): void {
  it('a failed savepoint undoes only its own writes; the transaction commits the rest', async () => {
    let refused: unknown = null;
    await ctx.store.transaction(async (tx) => {
      await tx.setCursor('before', '1', T0);
      try {
        await tx.savepoint(async (inner) => {
          await inner.setCursor('inside', '2', T0);
          // A NOT NULL column given no value: the database refuses this one value.
          await inner.addDeadLetter({ connector: 'sf', direction: 'pull', externalId: '006X', opportunityId: null, reason: null as unknown as string, code: null, payload: null }, T0);
        });
      } catch (error) {
        refused = error;
      }
      await tx.setCursor('after', '3', T0);
    });
    expect(isValueRefusedByStore(refused)).toBe(true);
    expect((await ctx.store.getCursor('before'))?.cursor).toBe('1');
    expect(await ctx.store.getCursor('inside')).toBeNull();
    expect((await ctx.store.getCursor('after'))?.cursor).toBe('3');
  });

  it('a savepoint that succeeds keeps its writes; on the store itself it is a transaction of its own', async () => {
    await ctx.store.transaction(async (tx) => {
      await tx.savepoint((inner) => inner.setCursor('kept', 'k', T0));
    });
    await expect(ctx.store.savepoint(async (tx) => {
      await tx.setCursor('alone', 'a', T0);
      throw new Error('undo');
    })).rejects.toThrow('undo');
    expect((await ctx.store.getCursor('kept'))?.cursor).toBe('k');
    expect(await ctx.store.getCursor('alone')).toBeNull();
  });

  it('a connection or schema error is not taken for a refused value', () => {
    expect(isValueRefusedByStore(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(false);
    expect(isValueRefusedByStore(Object.assign(new Error('no such table'), { code: 'SQLITE_ERROR' }))).toBe(false);
    expect(isValueRefusedByStore(new Error('wrapped', { cause: Object.assign(new Error('0x00'), { code: '22021' }) }))).toBe(true);
  });
}
