/**
 * The running application as the CLI, the admin HTTP API and the daemon see it. The composition
 * root (src/main.ts) builds one from the configuration; tests build one by hand from a real store
 * and a fake engine. Nothing here knows which CRMs are behind the engine.
 */
import type { Clock } from './core/clock';
import type { PartnerCenterWebhookOptions } from './http/partner-center-webhook';
import type { Logger } from './log';
import type { Metrics } from './metrics';
import type { Notifier } from './notify/notifier';
import type { GrantMonitor } from './partner-center/grant-monitor';
import type { StateStore } from './store/types';
import type { SyncEngine } from './sync/types';
import type { InboundRule } from './sync/inbound-routing';
import type { PartnerCheck } from './partner-center/partner-check';

/** One scheduled connector instance. */
export interface ScheduledConnector {
  name: string;
  kind: string;
  /** Cron expression (node-cron: 5 fields, or 6 with seconds). */
  schedule: string;
  /** Which inbound referrals it takes (default all): what `status` lists as unrouted. */
  inbound?: InboundRule;
}

/** The part of the daemon configuration the CLI, HTTP server and scheduler read. */
export interface AppSettings {
  connectors: readonly ScheduledConnector[];
  http: {
    port: number;
    host: string;
    /** Bearer token of the admin API; null or empty disables the admin API (every call gets 401). */
    adminToken: string | null;
    /** /healthz fails when work was due with no progress for this long, in ms; default 600 000. */
    stalledAfterMs?: number;
  };
  /** Cron expression of the R13 expiry sweep; default every 15 minutes. */
  expiry?: { schedule: string };
  /** Run every instance once right after start. */
  runOnStart?: boolean;
  /** How long a stop waits for running syncs to finish their page, in ms; default 30 000. */
  shutdownTimeoutMs?: number;
}

/** Health of one connector instance as the composition root knows it (auth, metadata check). */
export interface ConnectorHealth {
  name: string;
  kind: string;
  ready: boolean;
  /** Why it is not ready. */
  reason: string | null;
}

export interface App {
  config: AppSettings;
  store: StateStore;
  engine: SyncEngine;
  logger: Logger;
  clock: Clock;
  /** Shared metrics registry; the daemon makes one when absent. */
  metrics?: Metrics;
  /**
   * True when the engine itself logs the `sync.run` summary line and records run metrics (an
   * `onRun` hook); the scheduler then only logs runs that threw or were skipped, so each run has
   * exactly one summary line.
   */
  engineReportsRuns?: boolean;
  connectorStatus(): ConnectorHealth[];
  /** Sends the notifications (R18) and ops alerts after each run; absent or inactive when not configured. */
  notifier?: Notifier;
  /** `POST /webhooks/partner-center`, when Partner Center webhooks are configured. */
  partnerCenterWebhook?: PartnerCenterWebhookOptions;
  /**
   * Delegated grants the app needs (Partner Center's sign-in; see src/partner-center/grant-monitor.ts),
   * present when Partner Center is configured: `/readyz` is not ready while one is missing or
   * expired; code calling Partner Center hands its errors to `report`.
   */
  grants?: GrantMonitor;
  /** R8's partner check against Partner Center, when Partner Center is configured. */
  partners?: PartnerCheck;
  /** Releases everything the app holds (connectors, simulators, the store). */
  close(): Promise<void>;
}

export interface CreateAppOptions {
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  sandbox?: boolean;
  /** Where log lines go: the daemon logs on stdout; one-shot commands keep stdout for their result. Default stdout. */
  logTo?: 'stdout' | 'stderr';
}

export type CreateApp = (options: CreateAppOptions) => Promise<App>;
