/**
 * An absolute mapping path is shown as given (no config folder glued in front), and every kind
 * of configuration error comes in one round: schema, cron and mapping together.
 */
import path from 'node:path';
import { validateConfigFile } from '../../../src/cli/config-validate';
import { formatIssue } from '../../../src/config/issues';
import { removeWorkspaces, BASE_CONFIG, edit, ENV, SHIPPED_SF, workspace } from './helpers';

afterAll(removeWorkspaces);

describe('a mapping given by an absolute path', () => {
  it('is named as given in the summary', () => {
    const ws = workspace({ 'mappings/sf.yaml': SHIPPED_SF });
    const absolute = path.join(ws.dir, 'mappings/sf.yaml');
    const ws2 = workspace({ 'config.yaml': edit(BASE_CONFIG, 'mapping: mappings/sf.yaml', `mapping: ${absolute}`) });
    const result = validateConfigFile(ws2.config, { env: ENV });
    expect(result.ok).toBe(true);
    expect(result.summary).toContain(absolute);
    expect(result.summary).not.toContain(path.join(ws2.dir, absolute));
    expect(result.summary).not.toContain(`${ws2.dir}${absolute}`);
  });

  it('is named as given in its errors', () => {
    const ws = workspace({ 'mappings/sf.yaml': edit(SHIPPED_SF, 'kind: salesforce', 'kind: salesforse') });
    const absolute = path.join(ws.dir, 'mappings/sf.yaml');
    const ws2 = workspace({ 'config.yaml': edit(BASE_CONFIG, 'mapping: mappings/sf.yaml', `mapping: ${absolute}`) });
    const lines = validateConfigFile(ws2.config, { env: ENV }).errors.map(formatIssue);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toContain(ws2.dir);
    expect(lines.some((l) => l.startsWith(`${absolute}:`))).toBe(true);
  });
});

describe('errors in one round', () => {
  it('reports a schema error, a bad cron and a mapping error together', () => {
    let config = edit(BASE_CONFIG, "schedule: '*/5 * * * *'", "schedule: 'every five minutes'");
    config = edit(config, 'store:\n', 'http: { port: nope }\nstore:\n');
    const mapping = edit(SHIPPED_SF, 'kind: salesforce', 'kind: salesforse');
    const ws = workspace({ 'config.yaml': config, 'mappings/sf.yaml': mapping });
    const result = validateConfigFile(ws.config, { env: ENV });
    const text = result.errors.map(formatIssue).join('\n');
    expect(result.ok).toBe(false);
    expect(text).toMatch(/http\.port/);
    expect(text).toMatch(/schedule/);
    expect(text).toMatch(/mappings\/sf\.yaml:\d+:\d+/);
  });

  it('reports a connector schema error with that connector\'s bad cron and its mapping errors', () => {
    let config = edit(BASE_CONFIG, "schedule: '*/5 * * * *'", "schedule: 'every five minutes'\n    options: { pageSize: -3 }");
    config = edit(config, 'clientId: abc', 'clientId: 42');
    const mapping = edit(SHIPPED_SF, 'kind: salesforce', 'kind: salesforse');
    const ws = workspace({ 'config.yaml': config, 'mappings/sf.yaml': mapping });
    const text = validateConfigFile(ws.config, { env: ENV }).errors.map(formatIssue).join('\n');
    expect(text).toMatch(/pageSize/);
    expect(text).toMatch(/schedule/);
    expect(text).toMatch(/mappings\/sf\.yaml:\d+:\d+/);
  });
});
