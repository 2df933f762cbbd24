/**
 * Broken configurations and mapping files, written to real temp files: each issue is reported with
 * its exact file:line:column, key path and message, and nothing else is reported.
 */
import { validateConfigFile } from '../../../src/cli/config-validate';
import { formatIssue } from '../../../src/config/issues';
import { removeWorkspaces, BASE_CONFIG, edit, ENV, position, SHIPPED_DYN, SHIPPED_SF, workspace } from './helpers';

afterAll(removeWorkspaces);

function run(config: string, mapping = SHIPPED_SF, env: NodeJS.ProcessEnv = ENV, extra: Record<string, string> = {}) {
  const ws = workspace({ 'config.yaml': config, 'mappings/sf.yaml': mapping, ...extra });
  const result = validateConfigFile(ws.config, { env });
  const cfg = (needle: string, after = '') => `${ws.config}:${position(config, needle, after)}`;
  const map = (needle: string, after = '') => `${ws.shown('mappings/sf.yaml')}:${position(mapping, needle, after)}`;
  return { ws, result, lines: result.errors.map(formatIssue), cfg, map };
}

function expectOnly(r: ReturnType<typeof run>, expected: string[]): void {
  expect(r.lines).toEqual(expected);
  expect(r.result.ok).toBe(false);
  expect(r.result.summary.split('\n').slice(0, -1)).toEqual(expected);
}

const DYNAMICS_CONFIG = `connectors:
  - name: dyn
    kind: dynamics
    url: https://contoso.crm.dynamics.com
    auth:
      tenantId: t
      clientId: c
      clientSecret: \${DYN_SECRET}
      certificate: { thumbprint: ab12, privateKeyFile: ./k.pem }
    participation:
      - { field: cosell_sync, op: eq, value: true }
    mapping: mappings/sf.yaml
`;

describe('broken daemon configuration', () => {
  it('the base configuration is valid (the cases below each break one thing)', () => {
    const r = run(BASE_CONFIG);
    expect(r.lines).toEqual([]);
    expect(r.result.ok).toBe(true);
  });

  it('a misspelt top-level key, with a hint', () => {
    const config = `${BASE_CONFIG}reconcilation:\n  terminalConflicts: flag\n`;
    const r = run(config);
    expectOnly(r, [`${r.cfg('reconcilation')} reconcilation: unknown key "reconcilation" (did you mean "reconciliation"?)`]);
  });

  it('a misspelt connector key', () => {
    const config = edit(BASE_CONFIG, '    schedule:', '    schedul:');
    const r = run(config);
    expectOnly(r, [`${r.cfg('schedul')} connectors[0].schedul: unknown key "schedul" (did you mean "schedule"?)`]);
  });

  it('a value of the wrong type', () => {
    const config = `${BASE_CONFIG}    options: { pageSize: big }\n`;
    const r = run(config);
    expectOnly(r, [`${r.cfg('big')} connectors[0].options.pageSize: expected number, got string "big"`]);
  });

  it('an inbound routing rule with a country that is not ISO-2', () => {
    const config = `${BASE_CONFIG}    options: { inbound: { by: country, values: [USA] } }\n`;
    const r = run(config);
    expect(r.lines.join('\n')).toMatch(/connectors\[0\]\.options\.inbound\.values\[0\]: expected an ISO-2 country code/);
  });

  it('a missing environment variable, by name', () => {
    const r = run(BASE_CONFIG, SHIPPED_SF, {});
    expectOnly(r, [`${r.cfg('${SF_SECRET}')} connectors[0].auth.clientSecret: environment variable SF_SECRET is not set`]);
  });

  it('a literal secret', () => {
    const config = edit(BASE_CONFIG, '${SF_SECRET}', 'hunter2');
    const r = run(config);
    expectOnly(r, [`${r.cfg('hunter2')} connectors[0].auth.clientSecret: literal secret refused: write an environment reference such as \${CLIENT_SECRET}`]);
  });

  it('a literal password in a PostgreSQL URL', () => {
    const config = edit(BASE_CONFIG, '  driver: sqlite\n  path: ./db.sqlite\n', '  driver: postgres\n  url: postgres://app:pw@db.example.com/cosell\n');
    const r = run(config);
    expectOnly(r, [`${r.cfg('postgres://')} store.url: literal password in PostgreSQL URL refused: write it as \${ENV} or reference the whole URL`]);
  });

  it('a literal admin token', () => {
    const config = `${BASE_CONFIG}http:\n  adminToken: s3cr3t\n`;
    const r = run(config);
    expectOnly(r, [`${r.cfg('s3cr3t')} http.adminToken: literal secret refused: write an environment reference such as \${ADMIN_TOKEN}`]);
  });

  it('a bad cron expression', () => {
    const config = edit(BASE_CONFIG, "'*/5 * * * *'", "'61 * * * *'");
    const r = run(config);
    expectOnly(r, [`${r.cfg("'61")} connectors[0].schedule: invalid cron expression "61 * * * *"`]);
  });

  it('a bad expiry schedule', () => {
    const config = `${BASE_CONFIG}expiry:\n  schedule: every hour\n`;
    const r = run(config);
    expectOnly(r, [`${r.cfg('every hour')} expiry.schedule: invalid cron expression "every hour"`]);
  });

  it('a mapping file that does not exist', () => {
    const config = edit(BASE_CONFIG, 'mappings/sf.yaml', 'mappings/nope.yaml');
    const r = run(config);
    expectOnly(r, [`${r.cfg('mappings/nope.yaml')} connectors[0].mapping: mapping file ${r.ws.shown('mappings/nope.yaml')}: file not found`]);
  });

  it('a bad participation filter op', () => {
    const config = edit(BASE_CONFIG, 'op: eq', 'op: equals');
    const r = run(config);
    expectOnly(r, [`${r.cfg('equals')} connectors[0].participation[0].op: expected one of eq, ne, gt, ge, lt, le, in`]);
  });

  it('op in with a single value', () => {
    const config = edit(BASE_CONFIG, 'op: eq, value: true', 'op: in, value: true');
    const r = run(config);
    expectOnly(r, [`${r.cfg('true }')} connectors[0].participation[0].value: op in takes a list of values, other ops a single value`]);
  });

  it('an unknown connector kind', () => {
    const config = edit(BASE_CONFIG, 'kind: salesforce', 'kind: hubspot');
    const r = run(config);
    expectOnly(r, [`${r.cfg('hubspot')} connectors[0].kind: expected one of salesforce, dynamics`]);
  });

  it('a misspelt auth flow', () => {
    const config = edit(BASE_CONFIG, 'flow: client_credentials', 'flow: client_credential');
    const r = run(config);
    expectOnly(r, [`${r.cfg('client_credential')} connectors[0].auth.flow: expected one of jwt, client_credentials (did you mean "client_credentials"?)`]);
  });

  it('a bad reconciliation policy value', () => {
    const config = `${BASE_CONFIG}reconciliation:\n  terminalConflicts: enforced\n`;
    const r = run(config);
    expectOnly(r, [`${r.cfg('enforced')} reconciliation.terminalConflicts: expected one of flag, enforce (did you mean "enforce"?)`]);
  });

  it('two connectors with one name', () => {
    const second = BASE_CONFIG.slice(BASE_CONFIG.indexOf('  - name: sf'));
    const config = BASE_CONFIG + second;
    const r = run(config);
    expectOnly(r, [`${r.cfg('sf', 'mappings/sf.yaml\n  - name:')} connectors[1].name: duplicate connector name "sf"`]);
  });

  it('a Dynamics mapping on a Salesforce connector', () => {
    const r = run(BASE_CONFIG, SHIPPED_DYN);
    expectOnly(r, [`${r.cfg('mappings/sf.yaml')} connectors[0].mapping: ${r.ws.shown('mappings/sf.yaml')} is a dynamics mapping, this connector is salesforce`]);
  });

  it('a participation filter the created records would not match', () => {
    const config = edit(BASE_CONFIG, 'value: true', 'value: false');
    const r = run(config);
    expectOnly(r, [`${r.cfg('{ field')} connectors[0].participation[0]: records created in the CRM would not take part: the mapping's participationFields sets CoSell_Sync__c to true`]);
  });

  it('Dynamics auth with both a client secret and a certificate', () => {
    const r = run(DYNAMICS_CONFIG, SHIPPED_DYN, { DYN_SECRET: 'x' });
    expectOnly(r, [`${r.cfg('tenantId')} connectors[0].auth: give exactly one of clientSecret or certificate`]);
  });

  it('invalid YAML', () => {
    const config = edit(BASE_CONFIG, 'path: ./db.sqlite', 'path: [unclosed');
    const r = run(config);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(new RegExp(`^${r.ws.config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+ `));
    expect(r.result.ok).toBe(false);
  });
});

describe('broken mapping file', () => {
  const runMap = (mapping: string) => run(BASE_CONFIG, mapping);

  it('an unknown co-sell field, and the required one it leaves unmapped', () => {
    const mapping = edit(SHIPPED_SF, '  dealName:', '  dealname:');
    const r = runMap(mapping);
    expectOnly(r, [
      `${r.map('fields:\n  dealname')} fields: required co-sell field dealName is not mapped`,
      `${r.map('dealname')} fields.dealname: unknown co-sell field "dealname" (did you mean "dealName"?)`,
    ]);
  });

  it('a conversion the co-sell field kind cannot take', () => {
    const mapping = edit(SHIPPED_SF, '    crm: CloseDate\n    type: date', '    crm: CloseDate\n    type: string');
    const r = runMap(mapping);
    expectOnly(r, [`${r.map('string', 'crm: CloseDate')} fields.estimatedCloseDate.type: expected one of date, datetime`]);
  });

  it('a bad direction', () => {
    const mapping = edit(SHIPPED_SF, '    crm: Id\n    type: string\n    direction: to-cosell', '    crm: Id\n    type: string\n    direction: inbound');
    const r = runMap(mapping);
    expectOnly(r, [`${r.map('inbound', 'crm: Id')} fields.crmId.direction: expected one of to-cosell, to-crm, both`]);
  });

  it('a bad owner', () => {
    const anchor = 'direction: to-crm\n    owner: cosell\n    values: { co-sell';
    const mapping = edit(SHIPPED_SF, anchor, anchor.replace('owner: cosell', 'owner: partner'));
    const r = runMap(mapping);
    expectOnly(r, [`${r.map('partner')} fields.type.owner: expected one of crm, cosell, latest, manual`]);
  });

  it('an unknown stage name in toCrm', () => {
    const mapping = edit(SHIPPED_SF, '    accepted: { StageName: Qualification }', '    acepted: { StageName: Qualification }');
    const r = runMap(mapping);
    expectOnly(r, [`${r.map('acepted')} stage.toCrm.acepted: unknown key "acepted" (did you mean "accepted"?)`]);
  });

  it('an unknown stage name in fromCrm', () => {
    const mapping = edit(SHIPPED_SF, '      stage: accepted\n', '      stage: approved\n');
    const r = runMap(mapping);
    expectOnly(r, [`${r.map('approved')} stage.fromCrm[3].stage: expected one of received, accepted, won, lost, declined, expired`]);
  });

  it('two co-sell fields written to one CRM field', () => {
    const mapping = edit(SHIPPED_SF, '    crm: Description', '    crm: Name');
    const r = runMap(mapping);
    expectOnly(r, [`${r.map('Name', '  notes:')} fields.notes.crm: CRM field Name is written by both dealName and notes`]);
  });

  it('a picklist value map that is not one-to-one', () => {
    const mapping = edit(SHIPPED_SF, '      general: General', '      general: None');
    const r = runMap(mapping);
    expectOnly(r, [`${r.map('None', 'general:')} fields.microsoftHelpType.values.general: value map is not one-to-one: "none" and "general" both map to CRM value "None"`]);
  });

  it('an unknown co-sell value in a picklist map', () => {
    const mapping = edit(SHIPPED_SF, '      product-demo: Product demo', '      product-demos: Product demo');
    const r = runMap(mapping);
    expectOnly(r, [
      `${r.map('product-demos')} fields.microsoftHelpType.values.product-demos: unknown value "product-demos" (did you mean "product-demo"?): expected one of none, technical-architecture, cost-pricing, deployment, customer-relationship, product-demo, general`,
    ]);
  });

  it('a misspelt key in a field entry', () => {
    const mapping = edit(SHIPPED_SF, '    maxLength: 120', '    maxLenght: 120');
    const r = runMap(mapping);
    expectOnly(r, [`${r.map('maxLenght')} fields.dealName.maxLenght: unknown key "maxLenght" (did you mean "maxLength"?)`]);
  });

  it('a misspelt conversion type', () => {
    const mapping = edit(SHIPPED_SF, '    crm: CoSell_Help_Type__c\n    type: picklist', '    crm: CoSell_Help_Type__c\n    type: picklst');
    const r = runMap(mapping);
    expectOnly(r, [`${r.map('picklst')} fields.microsoftHelpType.type: expected one of picklist (did you mean "picklist"?)`]);
  });

  it('a relationship field mapped both ways', () => {
    const mapping = edit(SHIPPED_SF, '    crm: CoSell_Customer_Name__c', '    crm: Account.Name');
    const r = runMap(mapping);
    expectOnly(r, [`${r.map('crm: Account.Name\n')} fields.customer.name.direction: Account.Name is a relationship field and can only be read: use direction to-cosell`]);
  });

  it('a stage written as a value that reads back as another stage', () => {
    const mapping = edit(SHIPPED_SF, '    won: { StageName: Closed Won }', '    won: { StageName: Closed Lost }');
    const r = runMap(mapping);
    expectOnly(r, [`${r.map('{ StageName: Closed Lost }')} stage.toCrm.won: written as {"StageName":"Closed Lost"}, which reads back as lost`]);
  });

  it('money with neither a currency field nor a fixed currency', () => {
    const mapping = edit(SHIPPED_SF, '    currency: CurrencyIsoCode\n', '');
    const r = runMap(mapping);
    expectOnly(r, [`${r.map('type: money')} fields.estimatedValue: money needs exactly one of currency (a CRM field) or fixedCurrency`]);
  });
});

describe('every issue at once', () => {
  it('lists issues of the configuration and of its mapping file together, in file order', () => {
    const config = edit(edit(BASE_CONFIG, '${SF_SECRET}', 'hunter2'), "'*/5 * * * *'", "'bad'");
    const mapping = edit(SHIPPED_SF, '    maxLength: 120', '    maxLenght: 120');
    const r = run(config, mapping);
    expect(r.lines).toEqual([
      `${r.cfg('hunter2')} connectors[0].auth.clientSecret: literal secret refused: write an environment reference such as \${CLIENT_SECRET}`,
      `${r.cfg("'bad'")} connectors[0].schedule: invalid cron expression "bad"`,
      `${r.map('maxLenght')} fields.dealName.maxLenght: unknown key "maxLenght" (did you mean "maxLength"?)`,
    ]);
    expect(r.result.summary).toContain('3 errors in');
  });
});
