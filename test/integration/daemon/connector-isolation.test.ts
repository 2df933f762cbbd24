/**
 * Connector isolation (architecture.md, sync protocol 7): a CRM that cannot answer its start-up
 * metadata check (Dynamics answering 503) keeps only its own instance waiting; Salesforce syncs,
 * in `sync --once` and in `start`, and the waiting instance is reported on /readyz and in `status`.
 * A permanent mismatch refuses only that instance, naming the field.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnDaemon, summariesOf, type DaemonProcess } from '../../helpers/daemon-process';
import path from 'node:path';
import { DYN, ROOT, SF, startWorld, type World } from '../../helpers/sim-world';
import { instanceStatus } from '../../../src/cli/operations/status';
import { createStore } from '../../../src/store';

/** Few connector-level retries: each metadata attempt fails fast, the gate's backoff does the rest. */
function fastFailing(world: World): void {
  const text = readFileSync(world.configPath, 'utf8').replace(/publish: all \}/g, 'publish: all, maxRetries: 0 }').replace('level: debug', 'level: info');
  writeFileSync(world.configPath, text);
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, proc?: DaemonProcess): Promise<T> {
  for (let i = 0; i < 1000; i += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    if (proc && proc.child.exitCode !== null) throw new Error(`daemon exited while waiting for ${what}:\n${proc.text.join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function linkedCount(world: World, connector: string): Promise<number> {
  const store = await createStore({ kind: 'sqlite', path: world.storePath });
  try {
    return (await store.listLinks({ connector })).length;
  } finally {
    await store.close();
  }
}

jest.setTimeout(120_000);

describe('one CRM down does not stop the others', () => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld({ salesforce: 12, dynamics: 4 });
    fastFailing(world);
    world.dyn.injectFault({ kind: 'server_error', times: 1_000_000 });
  });
  afterEach(async () => {
    await world.close();
  });

  it('sync --once: Salesforce syncs, Dynamics is reported waiting for its metadata', async () => {
    const proc = spawnDaemon(['sync', '--once', '--json', '--config', world.configPath], world.env);
    const exit = await proc.exited;
    const summaries = summariesOf(proc.text);
    const sf = summaries.find((s) => s.connector === SF);
    const dyn = summaries.find((s) => s.connector === DYN);
    expect(sf?.error).toBeNull();
    expect(sf?.applied).toBe(12);
    expect(dyn?.error).toMatch(/waiting for the CRM's field metadata/);
    expect(exit.code).toBe(1);
    expect(await linkedCount(world, SF)).toBe(12);
    expect(await linkedCount(world, DYN)).toBe(0);
  });

  it('start: Salesforce syncs while Dynamics waits, reported on /readyz and in status', async () => {
    const proc = spawnDaemon(['start', '--config', world.configPath], world.env);
    try {
      const address = await waitFor('the HTTP address', () => proc.logs.find((l) => l.event === 'http.listening')?.address as string | undefined, proc);
      await waitFor('Salesforce synced', async () => ((await linkedCount(world, SF)) === 12 ? true : undefined), proc);
      const readyz = await waitFor('Dynamics reported waiting on /readyz', async () => {
        const body = (await (await fetch(`${address}/readyz`)).json()) as { connectors: Array<{ name: string; ready: boolean; reason: string | null }> };
        const dyn = body.connectors.find((c) => c.name === DYN);
        return dyn && !dyn.ready ? body : undefined;
      }, proc);
      expect(readyz.connectors.find((c) => c.name === DYN)?.reason).toMatch(/waiting for the CRM's field metadata/);
      expect(readyz.connectors.find((c) => c.name === SF)?.ready).toBe(true);

      // What `status` shows (it reads the same rows from the store, from another process).
      const store = await createStore({ kind: 'sqlite', path: world.storePath });
      try {
        const rows = await instanceStatus(store, new Date());
        expect(rows.find((r) => r.connector === DYN)?.lastError).toMatch(/waiting for the CRM's field metadata/);
        // Salesforce runs on its schedule meanwhile: its last run may be one still going, never a failed one.
        expect(['ok', 'running']).toContain(rows.find((r) => r.connector === SF)?.lastRun?.status);
        expect(rows.find((r) => r.connector === SF)?.lastError ?? null).toBeNull();
      } finally {
        await store.close();
      }

      expect(proc.logs.some((l) => l.event === 'connector.waiting' && l.connector === DYN)).toBe(true);
      expect(await linkedCount(world, DYN)).toBe(0);
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
  });
});

describe('a permanent metadata mismatch', () => {
  it('refuses that instance, naming the field, and the other one syncs', async () => {
    const world = await startWorld({ salesforce: 5, dynamics: 3 });
    try {
      fastFailing(world);
      // A mapping naming a Dynamics column the CRM does not have.
      const original = path.join(ROOT, 'config', 'mappings', 'dynamics.yaml');
      const broken = path.join(world.dir, 'dynamics-broken.yaml');
      writeFileSync(broken, readFileSync(original, 'utf8').replace(/cosell_customerduns\b/g, 'cosell_customerdunz'));
      writeFileSync(world.configPath, readFileSync(world.configPath, 'utf8').replace(JSON.stringify(original), JSON.stringify(broken)));
      const proc = spawnDaemon(['sync', '--once', '--json', '--config', world.configPath], world.env);
      const exit = await proc.exited;
      const summaries = summariesOf(proc.text);
      expect(summaries.find((s) => s.connector === SF)?.applied).toBe(5);
      const dyn = summaries.find((s) => s.connector === DYN);
      expect(dyn?.error).toMatch(/^refused: .*cosell_customerdunz/);
      expect(exit.code).toBe(1);
      expect(await linkedCount(world, DYN)).toBe(0);
    } finally {
      await world.close();
    }
  });
});
