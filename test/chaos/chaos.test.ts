/**
 * The long chaos run (`npm run test:chaos`), apart from `npm test` (which runs it at 1,000 records:
 * test/integration/chaos.test.ts): 5,000 records each way by default, as `npm run chaos`.
 * COSELL_CHAOS_RECORDS changes the size, COSELL_CHAOS_SEED replays a run's fault pattern.
 */
import { chaosSeed, expectChaosPasses } from './expect-chaos';

const records = Number(process.env.COSELL_CHAOS_RECORDS ?? 5000);

// Generous: nothing here is timed, the limit only stops a run that never settles.
jest.setTimeout(60 * 60_000);

describe('chaos (long): faults on both CRMs and the store while records are edited on both sides', () => {
  it(`loses and duplicates none of ${records} records each way`, async () => {
    await expectChaosPasses({ records, ...chaosSeed(), quietLimitMs: 30 * 60_000 });
  });
});
