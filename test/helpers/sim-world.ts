/**
 * A world for tests that run the daemon as a child process: both CRM simulators hosted in the
 * test process (so they outlive the daemon's deaths), seeded; a SQLite store in a temp folder (or
 * a given PostgreSQL database) with a few inbound referrals; and a daemon configuration (YAML) that points at all of it, its
 * secrets given as ${ENV} references resolved from the child's environment.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDynamicsSimulator, type DynamicsSimulator } from '../../connectors/dynamics/simulator';
import { startSalesforceSimulator, type SalesforceSimulator } from '../../connectors/salesforce/simulator';
import type { InboundInput } from '../../src/core/commands';
import { sampleDynamicsRow, sampleSalesforceRecord } from '../../src/sandbox/seed-data';
import { asOpportunityId } from '../../src/core/model';
import { createStore } from '../../src/store';

export const ROOT = path.resolve(__dirname, '../..');
export const SF = 'salesforce-crash';
export const DYN = 'dynamics-crash';

export interface WorldOptions {
  /** Participating Salesforce opportunities. */
  salesforce: number;
  /** Salesforce opportunities outside the participation filter (must stay untouched). */
  salesforceOut?: number;
  /** Participating Dynamics rows. */
  dynamics?: number;
  /** Inbound referrals received by the store before the first sync. */
  referrals?: number;
  /** Log level of the daemon; `debug` shows every push. */
  logLevel?: 'info' | 'debug';
  /** A PostgreSQL store at this URL (a database of its own) instead of SQLite in the temp folder. */
  postgresUrl?: string;
}

export interface World {
  dir: string;
  configPath: string;
  storePath: string;
  sf: SalesforceSimulator;
  dyn: DynamicsSimulator;
  /** Ids of the seeded participating Salesforce records, the others, the Dynamics rows and referrals. */
  seeded: { sf: string[]; sfOut: string[]; dyn: string[]; referrals: string[] };
  /** Environment for the child: the secrets its configuration refers to. */
  env: Record<string, string>;
  close(): Promise<void>;
}

const CUSTOMERS = [
  ['Contoso Ltd', 'Lyon', 'FR'], ['Fabrikam Inc', 'Seattle', 'US'], ['Northwind Traders', 'London', 'GB'],
  ['Tailspin Toys', 'Munich', 'DE'], ['Wide World Importers', 'Rotterdam', 'NL'], ['Adventure Works', 'Toronto', 'CA'],
] as const;

function pick<T>(list: readonly T[], i: number): T {
  return list[i % list.length] as T;
}

function closeDate(i: number): string {
  return `2027-${String((i % 9) + 3).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}`;
}

/** A valid Salesforce Opportunity (every field the shipped mapping needs to create a co-sell deal). */
export function crashSfRecord(i: number, participating = true): Record<string, unknown> {
  return { ...sampleSalesforceRecord(i, 'Crash test deal'), CoSell_Sync__c: participating };
}

/** A valid, participating Dynamics opportunity row (open, in progress). */
export function crashDynRow(i: number, currencies: Record<string, string>): Record<string, unknown> {
  return sampleDynamicsRow(i, currencies, 'Crash test row');
}

function referral(i: number): InboundInput {
  const [customer, city, country] = pick(CUSTOMERS, i + 1);
  return {
    sender: { kind: 'microsoft', name: 'Microsoft seller' }, type: 'co-sell',
    customer: { name: customer, location: { street: null, city, region: null, postalCode: null, country }, duns: null, contact: null, contactConsent: false },
    dealName: `${customer} referral ${i}`, estimatedValue: { amount: 75000 + i * 1000, currency: 'USD' }, estimatedCloseDate: closeDate(i + 11),
    notes: 'Referral from the co-sell program', team: [], solutions: [{ id: 'sol-ms', name: 'Azure Data Platform', kind: 'microsoft' }],
    microsoftHelpType: 'none',
  };
}

function configYaml(w: { storePath: string; postgresUrl: string | undefined; sfUrl: string; dyn: DynamicsSimulator; logLevel: string }): string {
  const mapping = (kind: string): string => JSON.stringify(path.join(ROOT, 'config', 'mappings', `${kind}.yaml`));
  const store = w.postgresUrl === undefined ? `{ driver: sqlite, path: ${JSON.stringify(w.storePath)} }` : `{ driver: postgres, url: ${JSON.stringify(w.postgresUrl)} }`;
  return `version: 1
store: ${store}
connectors:
  - name: ${SF}
    kind: salesforce
    loginUrl: ${w.sfUrl}
    auth: { flow: client_credentials, clientId: crash-client, clientSecret: '\${COSELL_CRASH_SF_SECRET}' }
    participation: [{ field: CoSell_Sync__c, op: eq, value: true }]
    schedule: '*/2 * * * * *'
    mapping: ${mapping('salesforce')}
    options: { pageSize: 2000, batchSize: 200, writeConcurrency: 2, publish: all }
  - name: ${DYN}
    kind: dynamics
    url: ${w.dyn.url}
    auth: { tenantId: ${w.dyn.tenantId}, clientId: ${w.dyn.clientId}, clientSecret: '\${COSELL_CRASH_DYN_SECRET}', authority: ${w.dyn.authority} }
    participation: [{ field: cosell_sync, op: eq, value: true }]
    schedule: '1-59/2 * * * * *'
    mapping: ${mapping('dynamics')}
    options: { pageSize: 5000, batchSize: 500, publish: all }
reconciliation: { terminalConflicts: flag, illegalCrmMoves: accept-then-apply }
logging: { level: ${w.logLevel}, format: json }
http: { port: 0, host: 127.0.0.1 }
`;
}

export async function startWorld(options: WorldOptions): Promise<World> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cosell-crash-'));
  const storePath = path.join(dir, 'store.db');
  const configPath = path.join(dir, 'cosell-sync.yaml');
  const sf = await startSalesforceSimulator();
  const dyn = await startDynamicsSimulator();
  const sfIds: string[] = [];
  for (let from = 0; from < options.salesforce; from += 1000) {
    const batch = Array.from({ length: Math.min(1000, options.salesforce - from) }, (_, k) => crashSfRecord(from + k));
    sfIds.push(...sf.seed(batch));
  }
  const sfOut = sf.seed(Array.from({ length: options.salesforceOut ?? 0 }, (_, k) => crashSfRecord(options.salesforce + k, false)));
  const dynIds = dyn.seed(Array.from({ length: options.dynamics ?? 0 }, (_, k) => crashDynRow(k, dyn.currencies)));
  const store = await createStore(options.postgresUrl === undefined ? { kind: 'sqlite', path: storePath } : { kind: 'postgres', url: options.postgresUrl });
  const referrals: string[] = [];
  try {
    for (let i = 0; i < (options.referrals ?? 0); i += 1) {
      const id = asOpportunityId(`c4a5e000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);
      await store.applyCommand({ id, command: { kind: 'receiveInbound', id, input: referral(i) }, source: { kind: 'system', name: 'crash-test' }, now: new Date() });
      referrals.push(id);
    }
  } finally {
    await store.close();
  }
  writeFileSync(configPath, configYaml({ storePath, postgresUrl: options.postgresUrl, sfUrl: sf.url, dyn, logLevel: options.logLevel ?? 'debug' }));
  return {
    dir, configPath, storePath, sf, dyn,
    seeded: { sf: sfIds, sfOut, dyn: dynIds, referrals },
    env: { COSELL_CRASH_SF_SECRET: 'crash-secret', COSELL_CRASH_DYN_SECRET: dyn.clientSecret },
    async close() {
      await sf.close();
      await dyn.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
