/**
 * One CLI invocation: global options, output in the chosen format, the store or app it opened
 * (closed at the end), and the exit code.
 */
import type { App } from '../app';
import { createLogger } from '../log';
import { createOfflineReview, type OfflineReview } from '../sync/offline-review';
import type { StateStore } from '../store/types';
import type { CliContext, GlobalOptions, StoreLease } from './context';
import { describeFailure } from './operations/errors';
import { NO_CONFIG, UsageError } from './usage-error';
import type { OperationContext } from './operations/opportunities';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Store-only settling runs no merge: the reconciliation policy is not consulted. */
const OFFLINE_POLICY = { terminalConflicts: 'flag', illegalMoves: 'accept-then-apply' } as const;

export class Session {
  code = EXIT_OK;
  private lease: StoreLease | null = null;
  private app: App | null = null;

  constructor(
    readonly ctx: CliContext,
    readonly globals: GlobalOptions,
  ) {}

  get json(): boolean {
    return this.globals.json === true;
  }

  configPath(): string | undefined {
    return this.globals.config ?? this.ctx.env['COSELL_SYNC_CONFIG'];
  }

  async store(): Promise<StateStore> {
    if (this.app !== null) return this.app.store;
    this.lease ??= await this.ctx.openStore({ store: this.globals.store, configPath: this.configPath() });
    return this.lease.store;
  }

  /** `daemon`: the app runs as the daemon (logs on stdout); otherwise logs go to stderr, stdout carries the result. */
  async openApp(sandbox = false, daemon = false): Promise<App> {
    const configPath = this.configPath();
    if (!sandbox && (configPath === undefined || configPath === '')) throw new UsageError(NO_CONFIG);
    this.app ??= await this.ctx.createApp({ env: this.ctx.env, sandbox, logTo: daemon ? 'stdout' : 'stderr', ...(configPath === undefined ? {} : { configPath }) });
    return this.app;
  }

  /**
   * What settles conflicts and dead letters: the configured engine, or with `--store` alone the
   * store itself (writes wait in the outbox for the daemon's next run).
   */
  async review(): Promise<OfflineReview> {
    const configPath = this.configPath();
    if (configPath !== undefined && configPath !== '') return (await this.openApp()).engine;
    const store = await this.store();
    return createOfflineReview({ store, clock: this.ctx.clock, logger: createLogger({ level: 'warn' }), policy: OFFLINE_POLICY });
  }

  /** Hands the app over to its new owner (the daemon closes it when it stops). */
  detachApp(): void {
    this.app = null;
  }

  async operations(): Promise<OperationContext> {
    // With a configuration naming Partner Center, R8's partner check goes through it (the app's store is then the store).
    const configPath = this.configPath();
    const partners = configPath !== undefined && configPath !== '' && this.globals.store === undefined ? (await this.openApp()).partners : undefined;
    const base = { store: await this.store(), clock: this.ctx.clock, source: { kind: 'user' as const, name: this.ctx.userName } };
    return partners ? { ...base, partners } : base;
  }

  /** Prints `value` as JSON with --json, else the human text. */
  print(value: unknown, human: () => string): void {
    this.ctx.stdout.write(this.json ? `${JSON.stringify(value, null, 2)}\n` : human());
  }

  /** Reports a failure (exit 1); with --json the error is a JSON object on stdout. */
  fail(error: unknown, action: string): void {
    const failure = describeFailure(error, action);
    this.code = EXIT_FAILURE;
    if (this.json) this.ctx.stdout.write(`${JSON.stringify({ ok: false, ...failure.body, message: failure.message }, null, 2)}\n`);
    this.ctx.stderr.write(`error: ${failure.message}\n`);
  }

  /** A usage problem found after commander's own checks (exit 2). */
  usage(message: string): void {
    this.code = EXIT_USAGE;
    this.ctx.stderr.write(`error: ${message}\n`);
  }

  async close(): Promise<void> {
    const app = this.app;
    const lease = this.lease;
    this.app = null;
    this.lease = null;
    if (app !== null) await app.close();
    if (lease !== null) await lease.release();
  }
}
