/**
 * End-to-end harness: both simulators over real HTTP, the real connectors, the shipped mappings,
 * a real SQLite (or PostgreSQL) store and the sync engine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDynamicsConnector } from '../../../connectors/dynamics';
import { startDynamicsSimulator, type DynamicsSimulator } from '../../../connectors/dynamics/simulator';
import { createSalesforceConnector } from '../../../connectors/salesforce';
import { startSalesforceSimulator, type SalesforceSimulator, type SalesforceSimulatorOptions } from '../../../connectors/salesforce/simulator';
import { ManualClock } from '../../../src/core/clock';
import { silentLogger, type Logger } from '../../../src/log';
import type { CompiledMapping } from '../../../src/mapping/compile';
import { loadMapping } from '../../../src/mapping/load';
import type { FieldOwner } from '../../../src/mapping/schema';
import { DEFAULT_RETRY_POLICY } from '../../../src/retry';
import { createStore } from '../../../src/store';
import type { StateStore } from '../../../src/store/types';
import { createSyncEngine } from '../../../src/sync/engine';
import { startFaultProxy } from '../../helpers/fault-proxy';
import { freshPostgresSchema } from '../../helpers/postgres-schema';
import type { ConnectorInstance, ReconciliationPolicy } from '../../../src/sync/ports';
import type { SyncEngine } from '../../../src/sync/types';
import type { InboundRule } from '../../../src/sync/inbound-routing';

const ROOT = path.resolve(__dirname, '../../..');

export interface SyncHarness {
  sf: SalesforceSimulator;
  dyn: DynamicsSimulator;
  store: StateStore;
  engine: SyncEngine;
  clock: ManualClock;
  instances: ConnectorInstance[];
  /** The PostgreSQL schema of the store (postgres only). */
  pgSchema: string | null;
  /** One sync pass of every instance, in order. */
  syncAll(): Promise<void>;
  /**
   * Moves the Salesforce org's clock and its connector's on by `ms`: the org reports a delete
   * through getDeleted only once the minute it happened in has passed.
   */
  sfElapse(ms: number): void;
  close(): Promise<void>;
}

/** The shipped mapping with some field owners changed (as an admin would in the YAML). */
function withOwners(mapping: CompiledMapping, owners: Record<string, FieldOwner>): CompiledMapping {
  const fields = new Map([...mapping.fields].map(([field, spec]) => [field, owners[field] ? { ...spec, owner: owners[field] } : spec] as const));
  return { ...mapping, fields };
}

/** The shipped mappings, read once per test file (a harness may change owners on its own copy). */
const shipped = new Map<string, CompiledMapping>();
function shippedMapping(name: 'salesforce' | 'dynamics'): CompiledMapping {
  let mapping = shipped.get(name);
  if (!mapping) shipped.set(name, (mapping = loadMapping(path.join(ROOT, `config/mappings/${name}.yaml`))));
  return { ...mapping, fields: new Map(mapping.fields) };
}

export interface HarnessOptions {
  policy?: Partial<ReconciliationPolicy>;
  dynamics?: boolean;
  start?: string;
  owners?: Record<string, FieldOwner>;
  /** The Dynamics simulator stamps modifiedon from the harness clock (default: the wall clock). */
  /** Options of the Salesforce simulator (default: an org's own behaviour). */
  salesforceSimulator?: SalesforceSimulatorOptions;
  dynamicsOnHarnessClock?: boolean;
  /** SQLite file of the store (default: a fresh file in a temporary directory; ':memory:' keeps it in memory). */
  sqlitePath?: string;
  /** Default sqlite; postgres uses a fresh schema on COSELL_TEST_PG_URL, dropped on close. */
  store?: 'sqlite' | 'postgres';
  /** The engine's logger (default: silent). */
  logger?: Logger;
  /** PostgreSQL store settings (another role's URL, pool size, lease keepalive). */
  postgres?: { url?: string; poolSize?: number; leaseKeepaliveMs?: number };
  /** Inbound routing rule per instance name (`sf`, `dyn`). */
  inbound?: Record<string, InboundRule>;
  /** Faults on the connectors' calls: a fault proxy (test/helpers/fault-proxy.ts) before that simulator. */
  faults?: { sf?: FaultPlan; dyn?: FaultPlan };
}

type FaultPlan = Parameters<typeof startFaultProxy>[1];

export async function startSyncHarness(options: HarnessOptions = {}): Promise<SyncHarness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cosell-sync-e2e-'));
  const clock = new ManualClock(options.start ?? '2026-03-02T09:00:00.000Z');
  const sf = await startSalesforceSimulator(options.salesforceSimulator ?? {});
  let sfOffsetMs = 0;
  const dyn = await startDynamicsSimulator(options.dynamicsOnHarnessClock === true ? { now: () => clock.now() } : {});
  const sfProxy = options.faults?.sf ? await startFaultProxy(sf.url, options.faults.sf) : null;
  const dynProxy = options.faults?.dyn ? await startFaultProxy(dyn.url, options.faults.dyn) : null;
  const pg = options.store === 'postgres' ? await freshPostgresSchema('sync') : null;
  const pgOptions = { poolSize: 4, ...options.postgres, url: options.postgres?.url ?? pg?.url ?? '' };
  const store = pg === null ? await createStore({ kind: 'sqlite', path: options.sqlitePath ?? path.join(dir, 'store.db') }) : await createStore({ kind: 'postgres', ...pgOptions, schema: pg.schema });
  const sfMapping = withOwners(shippedMapping('salesforce'), options.owners ?? {});
  const dynMapping = withOwners(shippedMapping('dynamics'), options.owners ?? {});
  const instances: ConnectorInstance[] = [
    {
      name: 'sf',
      connector: createSalesforceConnector(
        { name: 'sf', loginUrl: sfProxy?.url ?? sf.url, auth: { kind: 'client_credentials', clientId: 'id', clientSecret: 'secret' }, filter: { all: [{ field: 'CoSell_Sync__c', op: 'eq', value: true }] }, retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 }, now: () => Date.now() + sfOffsetMs },
        { logger: silentLogger },
      ),
      mapping: sfMapping,
      publish: 'all',
      ...(options.inbound?.['sf'] ? { inbound: options.inbound['sf'] } : {}),
      pushBatchSize: 200,
    },
  ];
  if (options.dynamics !== false) {
    instances.push({
      name: 'dyn',
      connector: createDynamicsConnector(
        { name: 'dyn', url: dynProxy?.url ?? dyn.url, auth: { tenantId: dyn.tenantId, clientId: dyn.clientId, clientSecret: dyn.clientSecret, authority: dyn.authority }, filter: { all: [{ field: 'cosell_sync', op: 'eq', value: true }] } },
        { logger: silentLogger },
      ),
      mapping: dynMapping,
      publish: 'all',
      ...(options.inbound?.['dyn'] ? { inbound: options.inbound['dyn'] } : {}),
      pushBatchSize: 500,
    });
  }
  const policy: ReconciliationPolicy = { terminalConflicts: 'flag', illegalMoves: 'accept-then-apply', ...options.policy };
  const engine = createSyncEngine({ store, instances, policy, clock, logger: options.logger ?? silentLogger });
  return {
    sf, dyn, store, engine, clock, instances, pgSchema: pg?.schema ?? null,
    sfElapse(ms) {
      sfOffsetMs += ms;
      sf.setClock({ offsetMs: sfOffsetMs });
    },
    async syncAll() {
      for (const instance of instances) {
        const summary = await engine.runOnce({ connector: instance.name });
        if (summary.error) throw new Error(`sync of ${instance.name} failed: ${summary.error}`);
      }
    },
    async close() {
      for (const instance of instances) await instance.connector.close();
      await store.close();
      await pg?.drop();
      await sfProxy?.close();
      await dynProxy?.close();
      await sf.close();
      await dyn.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Salesforce Opportunity with every field the shipped mapping needs to create a co-sell deal. */
export function sfOpportunity(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Name: 'Contoso cloud migration',
    StageName: 'Qualification',
    CloseDate: '2026-06-30',
    Amount: 125000,
    CurrencyIsoCode: 'USD',
    Description: 'Migrate the data estate',
    CoSell_Sync__c: true,
    CoSell_Customer_Name__c: 'Contoso Ltd',
    CoSell_Customer_City__c: 'Lyon',
    CoSell_Customer_Country__c: 'FR',
    CoSell_Team__c: JSON.stringify([{ name: 'Ana Seller', phone: '+33 1 23 45 67 89', email: 'ana@partner.example' }]),
    CoSell_Solutions__c: JSON.stringify([{ id: 'sol-1', name: 'Data Estate Accelerator', kind: 'own' }]),
    ...overrides,
  };
}

/** The co-sell id and CRM ids of the one opportunity created from a seeded Salesforce record. */
export async function linkedIds(h: SyncHarness, sfId: string): Promise<{ opportunityId: string; dynId: string | null }> {
  const link = await h.store.getLink('sf', sfId);
  if (!link) throw new Error(`no link for ${sfId}`);
  const dyn = await h.store.getLinkByOpportunity('dyn', link.opportunityId);
  return { opportunityId: link.opportunityId, dynId: dyn?.externalId ?? null };
}
