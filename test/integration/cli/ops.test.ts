/** `status`, `conflicts`, `dead-letters`, `sync --once`, `config validate`, `start`, and exit codes. */
import path from 'node:path';
import { asOpportunityId } from '../../../src/core';
import { startDaemon } from '../../../src/daemon/daemon';
import { anInboundInput, anOutboundInput } from '../../unit/core/builders';
import { createHarness, runCli, type Harness } from './harness';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.cleanup();
});

async function seedOpportunity(): Promise<void> {
  const file = h.jsonFile('opp.json', { id: 'opp-1', ...anOutboundInput() });
  expect((await runCli(h, ['opportunities', 'create', '--file', file])).code).toBe(0);
}

async function seedConflict(): Promise<number> {
  await seedOpportunity();
  const c = await h.store.addConflict(
    { opportunityId: 'opp-1' as never, connector: 'sf-main', externalId: '006A', kind: 'field', field: 'notes', base: 'a', crmValue: 'b', cosellValue: 'c', rule: 'manual', outcome: 'pending' },
    h.clock.now(),
  );
  return c.id;
}

describe('exit codes', () => {
  it.each([
    [['bogus'], 'an unknown command'],
    [[], 'no command'],
    [['opportunities', 'decline', 'opp-1'], 'a missing required option'],
    [['opportunities', 'list', '--view', 'everything'], 'an invalid choice'],
    [['conflicts', 'resolve', '1', '--keep', 'both'], 'an invalid --keep'],
    [['sync'], 'sync without --once'],
    [['config', 'validate'], 'config validate without a file'],
    [['opportunities', 'edit', 'opp-1'], 'edit without any change'],
    [['opportunities', 'invite', 'opp-1', '--microsoft'], 'invite --microsoft without --help-type'],
  ])('exits 2 on %j (%s)', async (args) => {
    const res = await runCli(h, args, { env: {} });
    expect(res.code).toBe(2);
    expect(res.stderr).not.toBe('');
  });

  it('exits 0 on --help and prints the commands', async () => {
    const res = await runCli(h, ['--help']);
    expect(res.code).toBe(0);
    for (const name of ['start', 'sync', 'status', 'opportunities', 'conflicts', 'dead-letters', 'sandbox', 'config']) expect(res.stdout).toContain(name);
  });
});

describe('status', () => {
  it('shows per instance the last run, lag, cursor age, counts and last error', async () => {
    await seedConflict();
    await h.store.startRun({ runId: 'r1', connector: 'sf-main' }, new Date('2026-03-02T08:00:00Z'));
    await h.store.finishRun({ runId: 'r1', connector: 'sf-main', status: 'ok', pulled: 5, applied: 4, pushed: 2, conflicts: 1, deadLetters: 0, apiCalls: 7, error: null }, new Date('2026-03-02T08:50:00Z'));
    await h.store.setCursor('sf-main', '2026-03-02T08:49:00Z', new Date('2026-03-02T08:30:00Z'));
    await h.store.addDeadLetter({ connector: 'sf-main', direction: 'pull', externalId: '006B', opportunityId: null, reason: 'REQUIRED_FIELD_MISSING', code: 'validation', payload: {} }, h.clock.now());
    const res = await runCli(h, ['--json', 'status']);
    expect(res.code).toBe(0);
    const [row] = res.json<{ connectors: { connector: string; lagSeconds: number; cursorAgeSeconds: number; counts: Record<string, number>; lastError: string | null }[] }>().connectors;
    expect(row).toMatchObject({ connector: 'sf-main', lagSeconds: 600, cursorAgeSeconds: 1800, lastError: null });
    expect(row?.counts).toMatchObject({ pulled: 5, applied: 4, pushed: 2, conflictsPending: 1, deadLetters: 1 });
    const human = await runCli(h, ['status']);
    expect(human.stdout).toMatch(/^CONNECTOR\s+LAST RUN/);
    expect(human.stdout).toMatch(/sf-main .* ok\s+10m\s+30m\s+5\s+4\s+2\s+1\s+1/);
  });

  it('lists the open inbound referrals no instance\'s inbound rule takes (human and --json)', async () => {
    const [sf, dyn] = h.settings.connectors;
    if (!sf || !dyn) throw new Error('the harness configures two instances');
    sf.inbound = { by: 'country', values: ['US'] };
    dyn.inbound = { by: 'solution', values: ['sol-x'] };
    const base = anInboundInput();
    for (const [id, country] of [['ref-us', 'US'], ['ref-de', 'DE']] as const) {
      const input = { ...base, customer: { ...base.customer, location: { ...base.customer.location, country } } };
      await h.store.applyCommand({ id: asOpportunityId(id), command: { kind: 'receiveInbound', id: asOpportunityId(id), input }, source: { kind: 'user', name: 't' }, now: h.clock.now() });
    }
    const res = await runCli(h, ['--json', 'status']);
    expect(res.json<{ unrouted: { id: string; country: string; stage: string }[] }>().unrouted).toEqual([expect.objectContaining({ id: 'ref-de', country: 'DE', stage: 'received' })]);
    const human = await runCli(h, ['status']);
    expect(human.stdout).toContain('1 inbound referral(s) no CRM instance takes');
    expect(human.stdout).toMatch(/ref-de\s+.*\s+received\s+DE/);
    expect(human.stdout).not.toContain('ref-us');
    // With --store alone the rules are not known: nothing is claimed.
    const storeOnly = await runCli(h, ['--json', 'status'], { env: { COSELL_SYNC_STORE: path.join(h.dir, 'test.db') } });
    expect(storeOnly.json<{ unrouted: unknown }>().unrouted).toBeNull();
  });

  it('says so when nothing ran yet', async () => {
    const res = await runCli(h, ['status']);
    expect(res).toMatchObject({ code: 0, stdout: 'no sync run recorded yet\n' });
  });
});

describe('conflicts and dead letters', () => {
  it('lists, shows and resolves a conflict through the engine', async () => {
    const id = await seedConflict();
    const list = await runCli(h, ['--json', 'conflicts', 'list']);
    expect(list.json<{ id: number }[]>().map((c) => c.id)).toEqual([id]);
    expect((await runCli(h, ['conflicts', 'list'])).stdout).toMatch(/^ID\s+OPPORTUNITY\s+CONNECTOR/);
    const show = await runCli(h, ['conflicts', 'show', String(id)]);
    expect(show.stdout).toMatch(/field:\s+notes/);
    const closedBefore = h.closedApps;
    const res = await runCli(h, ['conflicts', 'resolve', String(id), '--keep', 'crm']);
    expect(res.code).toBe(0);
    expect(h.engine.resolved).toEqual([{ id, keep: 'crm' }]);
    // The resolve ran through the configured app, which the command closed.
    expect(h.closedApps).toBe(closedBefore + 1);
  });

  it('fails on an unknown conflict', async () => {
    const res = await runCli(h, ['conflicts', 'show', '999']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('conflict 999 not found');
  });

  it('lists dead letters and retries one', async () => {
    const d = await h.store.addDeadLetter({ connector: 'dyn-main', direction: 'push', externalId: null, opportunityId: null, reason: 'Required field missing: name', code: 'validation', payload: null }, h.clock.now());
    const list = await runCli(h, ['--json', 'dead-letters', 'list']);
    expect(list.json<{ id: number; reason: string }[]>()).toEqual([expect.objectContaining({ id: d.id, reason: 'Required field missing: name' })]);
    const res = await runCli(h, ['dead-letters', 'retry', String(d.id)]);
    expect(res).toMatchObject({ code: 0, stdout: `dead letter ${d.id} queued for retry\n` });
    expect(h.engine.retried).toEqual([d.id]);
  });

  it('exits 1 when the engine could not settle a conflict', async () => {
    h.engine.resolveConflict = async () => ({ ok: false, message: 'conflict 7 is already resolved' });
    const res = await runCli(h, ['conflicts', 'resolve', '7', '--keep', 'cosell']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('already resolved');
  });
});

describe('sync --once', () => {
  it('runs every connector instance once and prints one summary line each', async () => {
    const res = await runCli(h, ['sync', '--once']);
    expect(res.code).toBe(0);
    expect(h.engine.runs.map((r) => r.connector)).toEqual(['sf-main', 'dyn-main']);
    expect(res.stdout).toContain('sf-main: pulled 3, applied 2, pushed 1, conflicts 1, dead letters 0, API calls 4');
  });

  it('--dry-run on one connector prints the planned writes per record', async () => {
    const res = await runCli(h, ['sync', '--once', '--connector', 'sf-main', '--dry-run']);
    expect(res.code).toBe(0);
    expect(h.engine.runs).toEqual([{ connector: 'sf-main', dryRun: true }]);
    expect(res.stdout).toContain('sf-main (dry run, nothing written): pulled 3, would apply 2, would push 1, would record conflicts 1, would dead-letter 0');
    expect(res.stdout).not.toMatch(/[^d] applied \d/);
    expect(res.stdout).toMatch(/TARGET\s+ACTION\s+OPPORTUNITY/);
    expect(res.stdout).toMatch(/crm\s+update\s+opp-1\s+006A\s+\{"StageName":"Closed Won"\}\s+stage won in co-sell/);
    const json = await runCli(h, ['--json', 'sync', '--once', '--dry-run']);
    expect(json.json<{ planned: unknown[] }[]>()[0]?.planned).toHaveLength(1);
  });

  it('fails on an unknown connector and when a run reports an error', async () => {
    const unknown = await runCli(h, ['sync', '--once', '--connector', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown connector instance nope; configured: sf-main, dyn-main');
    h.engine.failWith = 'auth: token expired';
    const failed = await runCli(h, ['sync', '--once', '--connector', 'sf-main']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('error: auth: token expired');
  });
});

describe('config validate, start', () => {
  it('validates the file named by COSELL_SYNC_CONFIG and exits 1 when invalid', async () => {
    const seen: string[] = [];
    const validateConfig = async (file: string) => {
      seen.push(file);
      return file.endsWith('bad.yaml') ? { ok: false, errors: [{ line: 3 }], summary: 'bad.yaml:3 store.driver: expected sqlite or postgres' } : { ok: true, errors: [], summary: 'ok' };
    };
    expect((await runCli(h, ['config', 'validate'], { env: { COSELL_SYNC_CONFIG: 'good.yaml' }, validateConfig })).code).toBe(0);
    const bad = await runCli(h, ['--config', 'bad.yaml', 'config', 'validate'], { validateConfig });
    expect(bad).toMatchObject({ code: 1, stdout: 'bad.yaml:3 store.driver: expected sqlite or postgres\n' });
    expect(seen).toEqual(['good.yaml', 'bad.yaml']);
  });

  it('start runs the daemon until it stops, then exits 0 with the app closed once', async () => {
    const res = await runCli(h, ['start'], {
      startDaemon: (app, options) => {
        const handle = startDaemon(app, { ...options, http: false, installSignalHandlers: false, schedule: () => ({ stop: () => undefined }) });
        void handle.ready.then(() => handle.stop('test'));
        return handle;
      },
    });
    expect(res.code).toBe(0);
    expect(h.closedApps).toBe(1);
  });
});
