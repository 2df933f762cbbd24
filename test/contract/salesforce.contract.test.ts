import { salesforceHarness } from '../integration/salesforce/harness';
import { crmConnectorContract } from './crm-connector-contract';

crmConnectorContract('salesforce (simulator)', salesforceHarness);
