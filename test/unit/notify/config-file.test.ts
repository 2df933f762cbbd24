/** The notifications block read from a configuration file: defaults, secrets by reference, located errors. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { analyzeConfig } from '../../../src/config/load';

const dir = mkdtempSync(path.join(tmpdir(), 'cosell-notify-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function analyze(yaml: string, env: NodeJS.ProcessEnv = {}) {
  n += 1;
  const file = path.join(dir, `c${n}.yaml`);
  writeFileSync(file, yaml);
  return analyzeConfig(file, { env });
}
const issues = (yaml: string, env?: NodeJS.ProcessEnv) => analyze(yaml, env).issues.map((i) => `${i.line}:${i.path}: ${i.message}`);

describe('notifications in the configuration file', () => {
  it('is off when omitted', () => {
    expect(analyze('version: 1\n').loaded?.config.notifications).toMatchObject({ enabled: false, recipients: { inbound: [], ops: [], senders: {} } });
  });

  it('reads a full block, the secret from the environment', () => {
    const yaml = [
      'notifications:',
      '  enabled: true',
      "  mail: { kind: graph, tenantId: t1, clientId: c1, clientSecret: '${GRAPH_SECRET}', sender: cosell@partner.example }",
      '  recipients: { inbound: [a@partner.example], senders: { partner-42: [b@trey.example] } }',
      '  expiryWarningDays: 2',
    ].join('\n');
    const loaded = analyze(yaml, { GRAPH_SECRET: 's3cret' }).loaded;
    expect(loaded?.config.notifications).toMatchObject({
      enabled: true,
      mail: { kind: 'graph', clientSecret: 's3cret', graphUrl: 'https://graph.microsoft.com', timeoutMs: 30000 },
      recipients: { inbound: ['a@partner.example'], ops: [], senders: { 'partner-42': ['b@trey.example'] } },
      expiryWarningDays: 2,
    });
  });

  it('refuses a literal secret, a typo and a bad address, each at its line', () => {
    const yaml = [
      'notifications:',
      '  enabled: true',
      '  mail: { kind: graph, tenantId: t1, clientId: c1, clientSecret: plain, sender: cosell@partner.example }',
      '  recipients: { ops: [not-an-address] }',
      '  expiryWarningDay: 2',
    ].join('\n');
    const found = issues(yaml);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^3:notifications\.mail\.clientSecret: literal secret refused/),
        expect.stringMatching(/^4:notifications\.recipients\.ops\[0\]: expected an email address/),
        expect.stringMatching(/^5:notifications.*unknown key "expiryWarningDay" \(did you mean "expiryWarningDays"\?\)/),
      ]),
    );
  });
});
