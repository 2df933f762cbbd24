/**
 * The CLI never starts the sandbox unless asked: without a configuration every command is a usage
 * error (exit 2) saying how to give one; `npm start` (`start --sandbox-without-config`) still runs
 * the sandbox; `--store` alone is enough for dead-letters retry and conflicts resolve.
 */
import path from 'node:path';
import type { CreateAppOptions } from '../../../src/app';
import type { CliContext } from '../../../src/cli/context';
import { storeConfigFor } from '../../../src/cli/store-target';
import { asOpportunityId } from '../../../src/core/model';
import type { Link } from '../../../src/store/types';
import { anOutboundInput } from '../../unit/core/builders';
import { createHarness, runCli, type Harness } from './harness';

let h: Harness;
let apps: CreateAppOptions[];
let opened: unknown[];
beforeEach(async () => {
  h = await createHarness();
  apps = [];
  opened = [];
});
afterEach(async () => {
  await h.cleanup();
});

/** No configuration anywhere; the store the command names is resolved as the real CLI does. */
function bare(): Partial<CliContext> {
  return {
    env: {},
    createApp: async (options) => {
      apps.push(options);
      throw new Error('no app in this test');
    },
    openStore: async (target) => {
      opened.push(storeConfigFor(target, {}));
      return { store: h.store, release: async () => undefined };
    },
  };
}

describe('without a configuration', () => {
  it.each([
    [['start']],
    [['sync', '--once']],
    [['status']],
    [['conflicts', 'list']],
    [['conflicts', 'resolve', '1', '--keep', 'crm']],
    [['dead-letters', 'retry', '1']],
    [['dead-letters', 'list']],
    [['opportunities', 'list']],
  ])('%j is a usage error that says how to give one, and starts nothing', async (args) => {
    const res = await runCli(h, args, bare());
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--config|--store/);
    expect(res.stderr).toMatch(/COSELL_SYNC_(CONFIG|STORE)/);
    expect(apps).toEqual([]);
    expect(opened).toEqual([]);
  });

  it('`start --sandbox-without-config` (npm start) runs the sandbox', async () => {
    const res = await runCli(h, ['start', '--sandbox-without-config'], bare());
    expect(res.code).toBe(1);
    expect(apps).toEqual([expect.objectContaining({ sandbox: true })]);
  });

  it('`start --sandbox-without-config` with a configuration runs that configuration', async () => {
    await runCli(h, ['--config', 'my.yaml', 'start', '--sandbox-without-config'], bare());
    expect(apps).toEqual([expect.objectContaining({ sandbox: false, configPath: 'my.yaml' })]);
  });
});

describe('--store without --config', () => {
  const dbPath = (): string => path.join(h.dir, 'test.db');

  async function seedOpportunity(): Promise<void> {
    const file = h.jsonFile('opp.json', { id: 'opp-1', ...anOutboundInput() });
    expect((await runCli(h, ['opportunities', 'create', '--file', file])).code).toBe(0);
  }

  it('dead-letters retry queues a failed push in that store for the daemon', async () => {
    await seedOpportunity();
    const d = await h.store.addDeadLetter({ connector: 'sf-main', direction: 'push', externalId: null, opportunityId: 'opp-1' as never, reason: 'REQUIRED_FIELD_MISSING', code: 'validation', payload: null }, h.clock.now());
    const before = await h.store.countOutbox('sf-main');
    const res = await runCli(h, ['dead-letters', 'retry', String(d.id), '--store', dbPath()], bare());
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`dead letter ${d.id} queued`);
    expect(opened).toEqual([{ kind: 'sqlite', path: dbPath() }]);
    expect(apps).toEqual([]);
    expect(await h.store.countOutbox('sf-main')).toBe(before + 1);
  });

  it('dead-letters retry of a failed pull says the CRM record must be read again (needs --config)', async () => {
    const d = await h.store.addDeadLetter({ connector: 'sf-main', direction: 'pull', externalId: '006B', opportunityId: null, reason: 'bad value', code: 'validation', payload: {} }, h.clock.now());
    const res = await runCli(h, ['dead-letters', 'retry', String(d.id), '--store', dbPath()], bare());
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('--config');
    expect(apps).toEqual([]);
  });

  it('conflicts resolve settles the conflict in that store and queues the write', async () => {
    await seedOpportunity();
    const link: Link = { connector: 'sf-main', externalId: '006A', opportunityId: asOpportunityId('opp-1'), base: { notes: 'a' }, held: {}, crmVersion: null, opportunityVersion: 1, syncedAt: h.clock.now().toISOString() };
    await h.store.saveLink(link);
    const c = await h.store.addConflict(
      { opportunityId: 'opp-1' as never, connector: 'sf-main', externalId: '006A', kind: 'field', field: 'notes', base: 'a', crmValue: 'b', cosellValue: 'c', rule: 'manual', outcome: 'pending' },
      h.clock.now(),
    );
    const res = await runCli(h, ['conflicts', 'resolve', String(c.id), '--keep', 'cosell', '--store', dbPath()], bare());
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`conflict ${c.id} resolved`);
    expect(apps).toEqual([]);
    expect((await h.store.getConflict(c.id))?.status).toBe('resolved');
    expect(await h.store.countOutbox('sf-main')).toBeGreaterThan(0);
  });
});
