/** Migrations as code, in order; Kysely's Migrator runs the ones not yet applied. */
import type { Migration, MigrationProvider } from 'kysely';
import type { Dialect } from '../schema';
import { initialMigration } from './001-initial';
import { notificationsMigration } from './006-notifications';
import { runControlMigration } from './007-run-control';
import { grantsMigration } from './008-grants';
import { partnerLookupsMigration } from './009-partner-lookups';
import { linksByOpportunityMigration } from './010-links-by-opportunity';

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    getMigrations: async (): Promise<Record<string, Migration>> => ({
      '001-initial': initialMigration(dialect),
      '006-notifications': notificationsMigration,
      '007-run-control': runControlMigration(dialect),
      '008-grants': grantsMigration,
      '009-partner-lookups': partnerLookupsMigration,
      '010-links-by-opportunity': linksByOpportunityMigration(dialect),
    }),
  };
}
