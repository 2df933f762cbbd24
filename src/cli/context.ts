/**
 * What a CLI invocation runs against. Everything with an effect outside the process (output,
 * environment, the store, the app, the daemon) is injected, so `run(argv, context)` works the
 * same in a terminal (bin.ts wires the real ones) and in tests.
 */
import type { App, CreateApp } from '../app';
import type { Clock } from '../core/clock';
import type { DaemonHandle, DaemonOptions } from '../daemon/daemon';
import type { StateStore } from '../store/types';

export interface TextOut {
  write(text: string): unknown;
}

/** A store opened for one command; `release` closes it (or does nothing for a shared one). */
export interface StoreLease {
  store: StateStore;
  release(): Promise<void>;
}

export interface ConfigValidation {
  ok: boolean;
  errors: readonly unknown[];
  summary: string;
}

export interface CliContext {
  stdout: TextOut;
  stderr: TextOut;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  /** Recorded as the source of every change (`user:<name>`). */
  userName: string;
  /** `store`: the --store value (sqlite path or postgres URL); `configPath`: --config or COSELL_SYNC_CONFIG. */
  openStore(target: { store: string | undefined; configPath: string | undefined }): Promise<StoreLease>;
  createApp: CreateApp;
  startDaemon(app: App, options: DaemonOptions): DaemonHandle;
  /** `checkCrm`: also check mapped fields against each CRM's own metadata (connects to the CRMs). */
  validateConfig(path: string, env: NodeJS.ProcessEnv, options?: { checkCrm?: boolean }): Promise<ConfigValidation>;
  /** `cosell-sync simulators` (absent where no simulators can run). */
  startSimulators?(options: StartSimulatorsOptions): Promise<RunningSimulators>;
  /** `cosell-sync login partner-center` (absent where Partner Center sign-in is not wired). */
  loginPartnerCenter?(request: PartnerCenterLoginRequest): Promise<PartnerCenterLogin>;
  /** Resolves on SIGTERM/SIGINT (what long-running commands wait for); default the process signals. */
  untilStopped?(): Promise<string>;
}

/** What the person signing in is shown: open the URL, enter the code. */
export interface DeviceCodePrompt {
  verificationUri: string;
  userCode: string;
  message: string;
  expiresInSeconds: number;
}

export interface PartnerCenterLoginRequest {
  configPath: string;
  env: NodeJS.ProcessEnv;
  onDeviceCode(prompt: DeviceCodePrompt): void;
  /** Give up waiting for the sign-in after this many seconds (default: the code's lifetime). */
  timeoutSeconds?: number;
}

/** Who signed in (no token: the tokens stay sealed in the store). */
export interface PartnerCenterLogin {
  account: string | null;
  name: string | null;
  tenantId: string | null;
  scopes: string[];
  expiresOn: string | null;
}

export interface StartSimulatorsOptions {
  salesforcePort: number;
  dynamicsPort: number;
  /** Port of the Partner Center simulator (0: any). */
  partnerCenterPort?: number;
  empty: boolean;
}

/** What `cosell-sync simulators` prints: where each simulator listens and the credentials it accepts. */
export interface RunningSimulators {
  salesforce: { url: string; loginUrl: string; clientId: string; clientSecret: string; records: number };
  dynamics: { url: string; tenantId: string; authority: string; clientId: string; clientSecret: string; records: number };
  /** What a `partnerCenter:` block names to use it: the API base, its Entra authority and tenant, the webhook certificate host. */
  partnerCenter: { apiBase: string; authority: string; tenantId: string; certificateHost: string; referrals: number };
  close(): Promise<void>;
}

/** Global options every command sees. */
export interface GlobalOptions {
  config?: string;
  json?: boolean;
  store?: string;
}

export const DEFAULT_STORE_PATH = './data/cosell-sync.db';
