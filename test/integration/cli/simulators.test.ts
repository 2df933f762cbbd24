/** `cosell-sync simulators`: the CRM and Partner Center simulators on their own, their URLs and credentials printed, until a signal. */
import { spawn } from 'node:child_process';
import path from 'node:path';

jest.setTimeout(60_000);
const ROOT = path.resolve(__dirname, '../../..');

interface Printed {
  salesforce: { url: string; clientId: string; clientSecret: string; records: number };
  dynamics: { url: string; tenantId: string; clientId: string; clientSecret: string; records: number };
  partnerCenter: { apiBase: string; authority: string; tenantId: string; certificateHost: string; referrals: number };
}

async function run(args: string[]): Promise<{ printed: Printed; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test/helpers/register-ts.js'), path.join(ROOT, 'src/cli/bin.ts'), ...args], {
    cwd: ROOT, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let out = '';
  const printed = await new Promise<Printed>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      try {
        resolve(JSON.parse(out) as Printed);
      } catch {
        // not the whole document yet
      }
    });
    void exited.then((code) => reject(new Error(`exited ${String(code)} before printing: ${out}`)));
  });
  return { printed, stop: () => (child.kill('SIGTERM'), exited) };
}

it('starts both simulators seeded, prints credentials that work, and stops on SIGTERM', async () => {
  const sims = await run(['--json', 'simulators']);
  try {
    const { salesforce: sf, dynamics: dyn } = sims.printed;
    expect(sf.records).toBeGreaterThan(0);
    expect(dyn.records).toBeGreaterThan(0);
    const token = await fetch(`${sf.url}/services/oauth2/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sf.clientId, client_secret: sf.clientSecret }),
    });
    expect(token.status).toBe(200);
    const wrong = await fetch(`${sf.url}/services/oauth2/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sf.clientId, client_secret: 'wrong' }),
    });
    expect(wrong.status).not.toBe(200);
    expect(dyn.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    expect(dyn.clientSecret).not.toBe('');
    // Partner Center: its Entra authority starts a device code sign-in, and the API refuses a call without a token.
    const pc = sims.printed.partnerCenter;
    expect(pc.referrals).toBeGreaterThan(0);
    const code = await fetch(`${pc.authority}/oauth2/v2.0/devicecode`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ client_id: 'any-app', scope: 'offline_access' }),
    });
    expect(code.status).toBe(200);
    expect((await fetch(`${pc.apiBase}/referrals`)).status).toBe(401);
    expect(pc.certificateHost).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  } finally {
    expect(await sims.stop()).toBe(0);
  }
});

it('--empty starts them without records', async () => {
  const sims = await run(['--json', 'simulators', '--empty']);
  expect([sims.printed.salesforce.records, sims.printed.dynamics.records, sims.printed.partnerCenter.referrals]).toEqual([0, 0, 0]);
  expect(await sims.stop()).toBe(0);
});
