/**
 * Test wiring for the CLI and the HTTP server: a real SQLite store in a temp directory, a fake
 * sync engine that records what it was asked, and a CliContext that captures output.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { App, AppSettings, ConnectorHealth } from '../../../src/app';
import type { CliContext } from '../../../src/cli/context';
import { run } from '../../../src/cli/program';
import { ManualClock } from '../../../src/core/clock';
import { startDaemon } from '../../../src/daemon/daemon';
import { silentLogger } from '../../../src/log';
import { createStore } from '../../../src/store';
import type { StateStore } from '../../../src/store/types';
import type { RecordResync, RunOptions, RunSummary, SyncEngine } from '../../../src/sync/types';

export const NOW = '2026-03-02T09:00:00.000Z';

export class FakeEngine implements SyncEngine {
  readonly runs: RunOptions[] = [];
  readonly resolved: { id: number; keep: 'crm' | 'cosell' }[] = [];
  readonly retried: number[] = [];
  readonly resynced: { connector: string; externalId: string; dryRun: boolean }[] = [];
  /** When set, runs wait for it (overlap and shutdown tests). */
  gate: Promise<void> | null = null;
  failWith: string | null = null;

  constructor(private readonly names: string[] = ['sf-main', 'dyn-main']) {}

  connectorNames(): string[] {
    return [...this.names];
  }

  async runOnce(options: RunOptions): Promise<RunSummary> {
    this.runs.push(options);
    if (this.gate !== null) await this.gate;
    return {
      runId: `run-${this.runs.length}`,
      connector: options.connector,
      dryRun: options.dryRun === true,
      pulled: 3,
      applied: 2,
      pushed: 1,
      conflicts: 1,
      deadLetters: 0,
      apiCalls: 4,
      durationMs: 12,
      planned: options.dryRun === true
        ? [{ connector: options.connector, target: 'crm', action: 'update', opportunityId: 'opp-1', externalId: '006A', changes: { StageName: 'Closed Won' }, reason: 'stage won in co-sell' }]
        : [],
      error: this.failWith,
    };
  }

  async resyncRecord(params: { connector: string; externalId: string; dryRun: boolean }): Promise<RecordResync> {
    this.resynced.push(params);
    const planned: RecordResync['planned'] = params.dryRun
      ? [{ connector: params.connector, target: 'cosell', action: 'update', opportunityId: 'opp-1', externalId: params.externalId, changes: { dealName: 'Renamed' }, reason: 'the CRM changed dealName' }]
      : [];
    return { ok: true, dryRun: params.dryRun, message: `record ${params.externalId} ${params.dryRun ? 'previewed' : 'resynced'}`, planned };
  }

  async retryDeadLetter(id: number): Promise<{ ok: boolean; message: string }> {
    this.retried.push(id);
    return { ok: true, message: `dead letter ${id} queued for retry` };
  }

  async resolveConflict(id: number, keep: 'crm' | 'cosell'): Promise<{ ok: boolean; message: string }> {
    this.resolved.push({ id, keep });
    return { ok: true, message: `conflict ${id} resolved: kept ${keep}` };
  }
}

export interface Harness {
  dir: string;
  store: StateStore;
  clock: ManualClock;
  engine: FakeEngine;
  app: App;
  closedApps: number;
  settings: AppSettings;
  cleanup(): Promise<void>;
  /** Writes `value` as JSON in the temp dir and returns its path. */
  jsonFile(name: string, value: unknown): string;
}

/** A store for one test and how to throw its database away; SQLite in the temp dir by default. */
export type StoreFactory = (dir: string) => Promise<{ store: StateStore; drop(): Promise<void> }>;

const sqliteStore: StoreFactory = async (dir) => ({
  store: await createStore({ kind: 'sqlite', path: path.join(dir, 'test.db') }),
  drop: async () => undefined,
});

export async function createHarness(overrides: Partial<AppSettings> = {}, storeFactory: StoreFactory = sqliteStore): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cosell-cli-'));
  const { store, drop } = await storeFactory(dir);
  const clock = new ManualClock(NOW);
  const engine = new FakeEngine();
  const settings: AppSettings = {
    connectors: [
      { name: 'sf-main', kind: 'salesforce', schedule: '*/5 * * * *' },
      { name: 'dyn-main', kind: 'dynamics', schedule: '*/5 * * * *' },
    ],
    http: { port: 0, host: '127.0.0.1', adminToken: 'test-admin-token' },
    ...overrides,
  };
  const connectorStatus = (): ConnectorHealth[] => settings.connectors.map((c) => ({ name: c.name, kind: c.kind, ready: true, reason: null }));
  const h: Harness = {
    dir,
    store,
    clock,
    engine,
    settings,
    closedApps: 0,
    // The harness owns the store: closing the app only counts, so one store serves many commands.
    app: { config: settings, store, engine, logger: silentLogger, clock, connectorStatus, close: async () => void (h.closedApps += 1) },
    cleanup: async () => {
      await store.close();
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
    jsonFile: (name, value) => {
      const file = path.join(dir, name);
      writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
      return file;
    },
  };
  return h;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for --json runs). */
  json<T = Record<string, unknown>>(): T;
}

export async function runCli(h: Harness, args: string[], extra: Partial<CliContext> = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    // A configuration is named (the fake createApp stands for it); tests of its absence pass their own env.
    env: { COSELL_SYNC_CONFIG: path.join(h.dir, 'cosell-sync.yaml') },
    clock: h.clock,
    userName: 'tester',
    openStore: async () => ({ store: h.store, release: async () => undefined }),
    createApp: async () => h.app,
    startDaemon: (app, options) => startDaemon(app, { ...options, http: false, installSignalHandlers: false }),
    validateConfig: async () => ({ ok: true, errors: [], summary: 'configuration is valid' }),
    ...extra,
  };
  const code = await run(['node', 'cosell-sync', ...args], ctx);
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
}
