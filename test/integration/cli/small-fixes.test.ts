/** Smaller CLI promises: decline cites R12, a missing --file is a clear usage error, plain `config validate` points at --check-crm. */
import { createHarness, runCli, type Harness } from './harness';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.cleanup();
});

it('opportunities decline --help cites R12 (accept or decline a received referral)', async () => {
  const res = await runCli(h, ['opportunities', 'decline', '--help']);
  expect(res.code).toBe(0);
  expect(res.stdout).toContain('(R12)');
  expect(res.stdout).not.toContain('R11');
});

it.each([
  [['opportunities', 'create', '--file']],
  [['opportunities', 'receive', '--file']],
  [['opportunities', 'edit', 'opp-1', '--file']],
])('%j with a file that does not exist: exit 2 naming the file, no raw ENOENT', async (args) => {
  const missing = `${h.dir}/nope.json`;
  const res = await runCli(h, [...args, missing]);
  expect(res.code).toBe(2);
  expect(res.stderr).toContain(`--file ${missing}: cannot read it (no such file)`);
  expect(res.stderr).not.toContain('ENOENT');
});

it('plain config validate says --check-crm would check the fields against the CRMs', async () => {
  const plain = await runCli(h, ['config', 'validate']);
  expect(plain.code).toBe(0);
  expect(plain.stdout).toMatch(/not checked against the CRMs.*--check-crm/);
  const checked = await runCli(h, ['config', 'validate', '--check-crm']);
  expect(checked.stdout).not.toContain('--check-crm');
});
