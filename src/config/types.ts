/** The daemon configuration as the daemon uses it: parsed, defaults applied, env references resolved, paths absolute. */
import type { InboundRule } from '../sync/inbound-routing';
import type { z } from 'zod';
import type { NotificationSettings } from '../notify/settings';
import type { PartnerCenterConfig } from './partner-center';
import type { ParticipationFilter } from '../ports/connector';
import type { CONFIG_SCHEMA, DYNAMICS_AUTH, SALESFORCE_AUTH, STORE_SCHEMA } from './schema';

type Top = z.output<typeof CONFIG_SCHEMA>;

export type StoreConfig = z.output<(typeof STORE_SCHEMA)['sqlite']> | z.output<(typeof STORE_SCHEMA)['postgres']>;
export type SalesforceAuth = z.output<(typeof SALESFORCE_AUTH)['jwt']> | z.output<(typeof SALESFORCE_AUTH)['client_credentials']>;
export type DynamicsAuth = z.output<typeof DYNAMICS_AUTH>;

export interface ConnectorOptions {
  pageSize: number;
  bulkThreshold: number;
  batchSize: number;
  writeConcurrency: number;
  timeoutMs: number;
  maxRetries: number;
  publish: 'all' | 'inbound' | 'none';
  /** Salesforce: how far each read overlaps the cursor (ms). */
  settleMs: number;
  inbound: InboundRule;
}

interface ConnectorConfigBase {
  name: string;
  enabled: boolean;
  /** The CRM object (Salesforce sObject, Dataverse table), from the configuration or else the mapping. */
  object: string;
  participation: ParticipationFilter;
  /** node-cron expression. */
  schedule: string;
  /** Absolute path of the mapping file. */
  mappingFile: string;
  options: ConnectorOptions;
}

export interface SalesforceConnectorConfig extends ConnectorConfigBase {
  kind: 'salesforce';
  loginUrl: string;
  instanceUrl: string | null;
  apiVersion: string;
  auth: SalesforceAuth;
}

export interface DynamicsConnectorConfig extends ConnectorConfigBase {
  kind: 'dynamics';
  url: string;
  apiVersion: string;
  auth: DynamicsAuth;
}

export type ConnectorConfig = SalesforceConnectorConfig | DynamicsConnectorConfig;

export interface DaemonConfig {
  /** Absolute path of the configuration file. */
  configFile: string;
  store: StoreConfig;
  connectors: ConnectorConfig[];
  reconciliation: Top['reconciliation'];
  logging: Top['logging'];
  http: { port: number; host: string; adminToken: string | null; stalledAfterMs?: number };
  expiry: { schedule: string };
  notifications: NotificationSettings;
  /** Partner Center as a connector instance; null when not configured or disabled. */
  partnerCenter: PartnerCenterConfig | null;
}
