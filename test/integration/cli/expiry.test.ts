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
