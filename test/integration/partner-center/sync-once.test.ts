/**
 * `sync --once` runs Partner Center with the CRM instances. With nobody signed in, its run fails
 * with the sign-in command to run, and the CRM instances sync all the same.
 */
import { spawnDaemon, summariesOf } from '../../helpers/daemon-process';
import { PC, SF, startDaemonWorld, type DaemonWorld } from './daemon-world';

jest.setTimeout(120_000);

let w: DaemonWorld;
afterEach(async () => w?.close());

it('includes Partner Center; without a sign-in its run fails clearly and the CRMs sync', async () => {
  w = await startDaemonWorld('sqlite');
  // The in-process daemon lets go of the store: the CLI is the only one working it now.
  await w.handle.stop('handing over to the CLI');
  const proc = spawnDaemon(['sync', '--once', '--json', '--config', w.configPath], w.env);
  const exit = await proc.exited;
  const summaries = summariesOf(proc.text);
  expect(summaries.map((s) => s.connector).sort()).toEqual(['dyn', PC, SF].sort());
  expect(summaries.find((s) => s.connector === PC)?.error).toMatch(/run `cosell-sync login partner-center --config [^`]+`/);
  expect(summaries.find((s) => s.connector === SF)?.error).toBeNull();
  expect(exit.code).toBe(1);
});
