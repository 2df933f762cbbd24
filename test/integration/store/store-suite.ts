/**
 * The one store suite: every StateStore implementation passes it unchanged. Each test gets a
 * fresh database from the factory.
 */
import { useFreshStore, type StoreDatabaseFactory } from './harness';
import { concurrencyTests } from './suite-concurrency';
import { opportunityTests } from './suite-opportunities';
import { pageBatchTests } from './suite-page-batch';
import { savepointTests } from './suite-savepoint';
import { syncTableTests } from './suite-sync-tables';
import { viewTests } from './suite-views';

export type { StoreDatabase, StoreDatabaseFactory } from './harness';

export function storeSuite(name: string, factory: StoreDatabaseFactory): void {
  describe(`StateStore on ${name}`, () => {
    const ctx = useFreshStore(factory);
    describe('opportunities', () => opportunityTests(ctx));
    describe('concurrency, transactions and leases', () => concurrencyTests(ctx));
    describe('views and expiry', () => viewTests(ctx));
    describe('links, cursors, conflicts, outbox, dead letters, runs', () => syncTableTests(ctx));
    describe('savepoints', () => savepointTests(ctx));
    describe('page transactions', () => pageBatchTests(ctx));
  });
}
