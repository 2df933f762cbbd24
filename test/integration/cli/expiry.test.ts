/** `cosell-sync expiry --once`: one R13 sweep now, on the store the command names. */
import { EXPIRY_WINDOW_DAYS } from '../../../src/core';
import { anInboundInput } from '../../unit/core/builders';
import { createHarness, runCli, type Harness } from './harness';

const DAY_MS = 86_400_000;
let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.cleanup();
});

it('expires the referrals past their R13 window, and only those', async () => {
  for (const id of ['old', 'young']) {
    const res = await runCli(h, ['opportunities', 'receive', '--file', h.jsonFile(`${id}.json`, { id, ...anInboundInput() })]);
    expect(res.code).toBe(0);
    if (id === 'old') h.clock.advance(5 * DAY_MS);
  }
  h.clock.advance((EXPIRY_WINDOW_DAYS - 5) * DAY_MS);
  const res = await runCli(h, ['--json', 'expiry', '--once']);
  expect(res.code).toBe(0);
  expect(res.json()).toEqual({ ok: true, expired: ['old'] });
  expect((await h.store.getOpportunity('old' as never))?.opportunity.stage).toBe('expired');
  expect((await h.store.getOpportunity('young' as never))?.opportunity.stage).toBe('received');
  const again = await runCli(h, ['expiry', '--once']);
  expect(again.stdout).toBe('expired 0 opportunities\n');
});

it('needs --once (exit 2)', async () => {
  const res = await runCli(h, ['expiry']);
  expect(res.code).toBe(2);
  expect(res.stderr).toContain('--once');
});

describe('R13 clock of an imported referral', () => {
  it('runs from the receivedAt the file carries, not from the import', async () => {
    const receivedAt = new Date(h.clock.now().getTime() - (EXPIRY_WINDOW_DAYS - 1) * DAY_MS).toISOString();
    const res = await runCli(h, ['--json', 'opportunities', 'receive', '--file', h.jsonFile('imported.json', { id: 'imported', receivedAt, ...anInboundInput() })]);
    expect(res.code).toBe(0);
    expect((await h.store.getOpportunity('imported' as never))?.opportunity.receivedAt).toBe(receivedAt);
    const early = await runCli(h, ['--json', 'expiry', '--once']);
    expect(early.json()).toEqual({ ok: true, expired: [] });
    // One day later the 14 days since Partner Center received it are over, though the import is one day old.
    h.clock.advance(DAY_MS);
    const due = await runCli(h, ['--json', 'expiry', '--once']);
    expect(due.json()).toEqual({ ok: true, expired: ['imported'] });
  });

  it('refuses a receivedAt in the future or not a date, naming the field (exit 2)', async () => {
    const future = new Date(h.clock.now().getTime() + DAY_MS).toISOString();
    for (const receivedAt of [future, 'yesterday']) {
      const res = await runCli(h, ['opportunities', 'receive', '--file', h.jsonFile('bad.json', { receivedAt, ...anInboundInput() })]);
      expect(res.code).not.toBe(0);
      expect(res.stderr).toContain('receivedAt');
    }
    expect((await h.store.listOpportunities({})).items).toEqual([]);
  });
});
