import path from 'node:path';
import { validateConfigFile } from '../../../src/cli/config-validate';
import { loadConfig } from '../../../src/config/load';

const EXAMPLE = path.join(__dirname, '../../../config/cosell-sync.example.yaml');
const ENV = {
  SF_CLIENT_ID: 'sf-client',
  DYNAMICS_TENANT_ID: 'tenant',
  DYNAMICS_CLIENT_ID: 'dyn-client',
  DYNAMICS_CLIENT_SECRET: 'dyn-secret',
  COSELL_ADMIN_TOKEN: 'admin-token',
};

describe('shipped example configuration', () => {
  it('validates with the env variables it references', () => {
    const result = validateConfigFile(EXAMPLE, { env: ENV });
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.summary).toContain('salesforce-main (salesforce Opportunity)');
    expect(result.summary).toMatch(/dealName\s+<->\s+Name\s+crm/);
    console.log(result.summary);
  });
});
