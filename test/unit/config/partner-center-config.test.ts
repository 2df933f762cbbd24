/**
 * The `partnerCenter` block: its defaults, every option read through, and precise errors with
 * file, line and path for what is wrong.
 */
import { validateConfigFile } from '../../../src/cli/config-validate';
import { formatIssue } from '../../../src/config/issues';
import { loadConfig } from '../../../src/config/load';
import { BASE_CONFIG, ENV, position, removeWorkspaces, SHIPPED_SF, workspace } from './helpers';

afterAll(removeWorkspaces);

const PC = `partnerCenter:
  auth: { tenantId: contoso-tenant, clientId: app-1 }
`;

function load(extra: string) {
  const ws = workspace({ 'config.yaml': BASE_CONFIG + extra, 'mappings/sf.yaml': SHIPPED_SF });
  return loadConfig(ws.config, ENV).config;
}

function errors(extra: string, config = BASE_CONFIG + extra) {
  const ws = workspace({ 'config.yaml': config, 'mappings/sf.yaml': SHIPPED_SF });
  const result = validateConfigFile(ws.config, { env: ENV });
  return { lines: result.errors.map(formatIssue), at: (needle: string, after = '') => `${ws.config}:${position(config, needle, after)}` };
}

describe('partnerCenter configuration', () => {
  it('is absent by default: Partner Center takes no part', () => {
    expect(load('').partnerCenter).toBeNull();
  });

  it('takes the documented defaults', () => {
    expect(load(PC).partnerCenter).toEqual({
      enabled: true,
      apiBase: 'https://api.partner.microsoft.com/v1.0/engagements',
      timeoutMs: 30_000,
      retry: { maxAttempts: 5, initialDelayMs: 500, maxDelayMs: 30_000 },
      schedule: '*/5 * * * *',
      overlapMs: 60_000,
      partnerApiBase: 'https://api.partnercenter.microsoft.com/v1',
      partnerLookupTtlMs: 86_400_000,
      defaultCurrency: 'USD',
      auth: { tenantId: 'contoso-tenant', clientId: 'app-1' },
      webhook: { enabled: false, certificateHosts: ['https://3psostorageacct.blob.core.windows.net'], organization: 'Microsoft Corporation', certificateTimeoutMs: 5_000 },
    });
  });

  it('reads every option given', () => {
    const pc = load(`partnerCenter:
  apiBase: http://127.0.0.1:9999/v1.0/engagements
  timeoutMs: 5000
  retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 100 }
  schedule: '*/2 * * * *'
  overlapMs: 0
  partnerApiBase: http://127.0.0.1:9999/v1
  partnerLookupTtlMs: 60000
  publisher: Contoso Partner Ltd
  defaultCurrency: EUR
  auth: { tenantId: t, clientId: c, authority: 'https://login.example/t', scopes: ['https://api.partner.microsoft.com/.default'], keyEnv: COSELL_PC_KEY }
  webhook: { enabled: true, certificateHosts: ['https://certs.example:8443'], organization: null, certificateTimeoutMs: 1000 }
`).partnerCenter;
    expect(pc).toEqual({
      enabled: true, apiBase: 'http://127.0.0.1:9999/v1.0/engagements', timeoutMs: 5000, retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 100 },
      schedule: '*/2 * * * *', overlapMs: 0, partnerApiBase: 'http://127.0.0.1:9999/v1', partnerLookupTtlMs: 60_000, publisher: 'Contoso Partner Ltd', defaultCurrency: 'EUR',
      auth: { tenantId: 't', clientId: 'c', authority: 'https://login.example/t', scopes: ['https://api.partner.microsoft.com/.default'], keyEnv: 'COSELL_PC_KEY' },
      webhook: { enabled: true, certificateHosts: ['https://certs.example:8443'], organization: null, certificateTimeoutMs: 1000 },
    });
  });

  it('enabled: false leaves it out', () => {
    expect(load(`${PC}  enabled: false\n`).partnerCenter).toBeNull();
  });

  it('reports every error at once, with file, line and path', () => {
    const config = `${BASE_CONFIG}partnerCenter:
  apiBase: not-a-url
  schedule: 'every minute'
  retry: { maxAttempts: 0, initialDelayMs: 100, maxDelayMs: 10 }
  defaultCurrency: euro
  auth: { tenantId: t, keyEnv: lower-case }
  webhook: { certificateHosts: ['https://certs.example/path'], enabeld: true }
`;
    const r = errors('', config);
    expect(r.lines).toEqual([
      `${r.at('not-a-url')} partnerCenter.apiBase: expected an http(s) URL`,
      `${r.at("'every minute'")} partnerCenter.schedule: invalid cron expression "every minute"`,
      `${r.at('0', 'maxAttempts: ')} partnerCenter.retry.maxAttempts: Too small: expected number to be >=1`,
      `${r.at('10', 'maxDelayMs: ')} partnerCenter.retry.maxDelayMs: maxDelayMs must be at least initialDelayMs`,
      `${r.at('euro')} partnerCenter.defaultCurrency: expected an ISO 4217 code such as USD`,
      `${r.at('{', '  auth: ')} partnerCenter.auth.clientId: required`,
      `${r.at('lower-case')} partnerCenter.auth.keyEnv: expected an environment variable name`,
      `${r.at("'https://certs.example/path'")} partnerCenter.webhook.certificateHosts[0]: expected an origin (scheme://host[:port]) without a path`,
      `${r.at('enabeld')} partnerCenter.webhook.enabeld: unknown key "enabeld" (did you mean "enabled"?)`,
    ]);
  });

  it('refuses a CRM connector named like the Partner Center instance', () => {
    const config = BASE_CONFIG.replace('  - name: sf', '  - name: partner-center') + PC;
    const r = errors('', config);
    expect(r.lines).toEqual([`${r.at('partner-center')} connectors[0].name: "partner-center" is the Partner Center instance's name; give this connector another`]);
  });
});
