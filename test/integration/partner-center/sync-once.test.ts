/**
 * `sync --once` runs Partner Center with the CRM instances, with the delegated sign-in that
 * `login partner-center` stores. With nobody signed in, its run fails with the sign-in command to
 * run, and the CRM instances sync all the same.
 */
import { randomBytes } from 'node:crypto';
import { spawnDaemon, summariesOf } from '../../helpers/daemon-process';
import { loadConfig } from '../../../src/config/load';
import { assembleApp, loginPartnerCenterWithConfig } from '../../../src/main';
import { MemoryLogger } from '../../unit/daemon/fakes';
import { PC, SF, startDaemonWorld, type DaemonWorld } from './daemon-world';
import { anIncomingBody } from './setup';

jest.setTimeout(120_000);

let w: DaemonWorld;
afterEach(async () => w?.close());

it('includes Partner Center; without a sign-in its run fails clearly and the CRMs sync', async () => {
  w = await startDaemonWorld('sqlite');
  // The in-process daemon lets go of the store: the CLI is the only one working it now.
  await w.handle.stop('handing over to the CLI');
  const key = randomBytes(32).toString('base64');
  const proc = spawnDaemon(['sync', '--once', '--json', '--config', w.configPath], { ...w.env, COSELL_TOKEN_KEY: key });
  const exit = await proc.exited;
  const summaries = summariesOf(proc.text);
  expect(summaries.map((s) => s.connector).sort()).toEqual(['dyn', PC, SF].sort());
  expect(summaries.find((s) => s.connector === PC)?.error).toMatch(/run `cosell-sync login partner-center --config [^`]+`/);
  expect(summaries.find((s) => s.connector === SF)?.error).toBeNull();
  expect(exit.code).toBe(1);
});

it('the daemon uses the sign-in `login partner-center` stored: not ready before, syncing after', async () => {
  w = await startDaemonWorld('sqlite');
  await w.handle.stop('handing over');
  const env = { ...w.env, COSELL_TOKEN_KEY: randomBytes(32).toString('base64') };
  const app = await assembleApp(loadConfig(w.configPath, env), { env, logger: new MemoryLogger() });
  try {
    expect(await app.grants?.health()).toEqual([expect.objectContaining({ name: PC, ready: false, reason: expect.stringMatching(/login partner-center/) })]);
    expect((await app.engine.runOnce({ connector: PC })).error).toMatch(/login partner-center/);

    await loginPartnerCenterWithConfig({ configPath: w.configPath, env, onDeviceCode: (p) => w.pc.entra.approve(p.userCode, { username: 'ops@partner.example', name: 'Ops' }) });
    expect(await app.grants?.health()).toEqual([expect.objectContaining({ name: PC, ready: true, account: 'ops@partner.example' })]);
    const sent = w.pc.receive(anIncomingBody());
    expect(await app.engine.runOnce({ connector: PC })).toMatchObject({ error: null, applied: 1 });
    expect(w.pc.state.get(sent.id)?.id).toBe(sent.id);
    expect(w.pc.entra.issuedTokens().access.length).toBeGreaterThan(0);
  } finally {
    await app.close();
  }
});
