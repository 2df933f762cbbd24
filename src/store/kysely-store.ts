/** The StateStore: StoreOps on the root Kysely instance, plus transactions, leases and migrations. */
import { Migrator } from 'kysely';
import { StateError } from '../errors';
import type { StoreDriver } from './driver';
import { KyselyOps } from './kysely-ops';
import { migrationProvider } from './migrations';
import { createNotificationLog, type NotificationLog } from './notification-log';
import { openPageBatch, type PageKeys } from './page-batch';
import type { Db } from './schema';
import { runTransaction } from './transaction';
import type { StateStore, StoreOps } from './types';

export class KyselyStore extends KyselyOps implements StateStore {
  readonly dialect: StateStore['dialect'];

  constructor(private readonly driver: StoreDriver) {
    super(driver.db, (fn) => driver.serialize(() => runTransaction(driver.db, fn)), driver.dialect);
    this.dialect = driver.dialect;
  }

  /**
   * Runs `fn` in one transaction; everything called on `tx` joins it, and an error rolls it all back.
   * Inside `fn`, use `tx`, not the store: on SQLite a call on the store would wait for this very
   * transaction to end.
   */
  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    return this.driver.serialize(() =>
      runTransaction(this.driver.db, (trx: Db) => fn(new KyselyOps(trx, (inner) => inner(trx), this.driver.dialect, true))),
    );
  }

  /**
   * `transaction` for one page of sync work: the page's rows are read in a few statements first,
   * and its writes go out as multi-row statements before the commit (page-batch.ts).
   */
  pageTransaction<T>(keys: PageKeys, fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    return this.driver.serialize(() =>
      runTransaction(this.driver.db, async (trx: Db) => {
        const ops = new KyselyOps(trx, (inner) => inner(trx), this.driver.dialect, true);
        const batch = await openPageBatch(trx, ops, this.driver.dialect, keys);
        const result = await fn(batch);
        await batch.flush();
        return result;
      }),
    );
  }

  withLease<T>(name: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T | null> {
    return this.driver.withLease(name, fn);
  }

  async migrate(): Promise<void> {
    const migrator = new Migrator({
      db: this.driver.db,
      provider: migrationProvider(this.driver.dialect),
      ...(this.driver.migrationTableSchema === undefined ? {} : { migrationTableSchema: this.driver.migrationTableSchema }),
    });
    const { error } = await this.driver.serialize(() => migrator.migrateToLatest());
    if (error !== undefined) throw new StateError('store migration failed', error);
  }

  statementCounts(): ReturnType<StateStore['statementCounts']> {
    return this.driver.statementCounts();
  }

  notificationLog(): NotificationLog {
    return createNotificationLog(this.driver.db, (fn) => this.driver.serialize(fn));
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}
