/**
 * `sync --once --json`: stdout carries only the result (one JSON document), every log line goes
 * to stderr. And COSELL_SYNC_HTTP_HOST (set to 0.0.0.0 in the container image) picks the address.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { httpHost } from '../../../src/main';
import { DYN, ROOT, SF, startWorld, type World } from '../../helpers/sim-world';

jest.setTimeout(120_000);

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test/helpers/register-ts.js'), path.join(ROOT, 'src/cli/bin.ts'), ...args], {
    cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? ROOT, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('sync --once --json', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ salesforce: 4, dynamics: 2, logLevel: 'debug' });
  });
  afterAll(async () => world.close());

  it('prints only the run summaries on stdout; the logs are on stderr', async () => {
    const res = await runCli(['sync', '--once', '--json', '--config', world.configPath], world.env);
    expect(res.code).toBe(0);
    const summaries = JSON.parse(res.stdout) as Array<{ connector: string; error: string | null }>;
    expect(summaries.map((s) => s.connector).sort()).toEqual([DYN, SF].sort());
    const logLines = res.stderr.split('\n').filter((l) => l.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.some((l) => (JSON.parse(l) as { event?: string }).event === 'sync.created')).toBe(true);
  });
});

describe('the HTTP address', () => {
  it.each([
    [{}, '127.0.0.1', '127.0.0.1'],
    [{ COSELL_SYNC_HTTP_HOST: '0.0.0.0' }, '127.0.0.1', '0.0.0.0'],
    [{ COSELL_SYNC_HTTP_HOST: ' ' }, '10.0.0.5', '10.0.0.5'],
  ])('env %j with configured %s listens on %s', (env, configured, expected) => {
    expect(httpHost(env, configured)).toBe(expected);
  });

  it('the container image listens on every interface, so its exposed port answers', () => {
    const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^ENV COSELL_SYNC_HTTP_HOST=0\.0\.0\.0$/m);
    expect(dockerfile).toMatch(/^EXPOSE 8080$/m);
  });
});
