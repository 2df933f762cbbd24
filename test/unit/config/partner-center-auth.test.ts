/** The `partnerCenter.auth` configuration section: defaults left to the auth module, errors with file and path. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeConfig, loadConfig } from '../../../src/config/load';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cosell-pc-config-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (text: string): string => {
  const file = path.join(dir, 'cosell.yaml');
  fs.writeFileSync(file, `store:\n  driver: sqlite\n  path: ./db.sqlite\n${text}`);
  return file;
};

it('reads tenantId, clientId and the optional authority, scopes and keyEnv', () => {
  const file = write('partnerCenter:\n  auth:\n    tenantId: contoso.onmicrosoft.com\n    clientId: ${PC_CLIENT}\n    authority: https://login.microsoftonline.com/contoso.onmicrosoft.com\n    scopes: [https://api.partner.microsoft.com/.default]\n    keyEnv: PC_KEY\n');
  expect(loadConfig(file, { PC_CLIENT: 'app-id' }).config.partnerCenter?.auth).toEqual({
    tenantId: 'contoso.onmicrosoft.com', clientId: 'app-id', authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com', scopes: ['https://api.partner.microsoft.com/.default'], keyEnv: 'PC_KEY',
  });
  expect(loadConfig(write('')).config.partnerCenter).toBeNull();
});

it('reports every mistake with its path', () => {
  const file = write('partnerCenter:\n  auth:\n    tenantId: ""\n    clientid: x\n    authority: ftp://nope\n    scopes: []\n    keyEnv: "not a name"\n');
  const issues = analyzeConfig(file, { env: {} }).issues.map((i) => `${i.path}: ${i.message}`);
  expect(issues).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^partnerCenter\.auth\.tenantId: /),
      expect.stringMatching(/^partnerCenter\.auth\.clientId: /),
      expect.stringMatching(/^partnerCenter\.auth\.authority: expected an http\(s\) URL/),
      expect.stringMatching(/^partnerCenter\.auth\.scopes: /),
      expect.stringMatching(/^partnerCenter\.auth\.keyEnv: expected an environment variable name/),
    ]),
  );
});
