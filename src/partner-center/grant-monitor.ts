/**
 * Watching delegated grants (Partner Center's app + user sign-in). The token source marks a grant
 * expired in the store when Entra refuses it; this monitor turns that into what ops see:
 * - `report(error)`: code that calls Partner Center (the sync, the webhook handler, the CLI) hands
 *   it any error; a `grant_expired` one is recorded and alerts ops once per grant
 *   (Notifier.reportExpiredGrant; the notification log keeps it sent once across restarts and
 *   workers). Returns whether it was one, so the caller can stop its run without a stack trace.
 * - `health()`: readiness of each watched grant, read from the store (so every worker, `/readyz`
 *   and `status` agree): not ready when no sign-in is stored or it expired, with the reason and the
 *   command that signs in again.
 */
import type { ConnectorHealth } from '../app';
import type { Clock } from '../core/clock';
import { isGrantExpiredError } from '../errors';
import type { Logger } from '../log';
import type { ReportExpiredGrant } from '../notify/planner';
import type { GrantStore, StoredGrant } from '../ports/grant';

export interface WatchedGrant {
  /** The grant's store name, e.g. `partner-center`. */
  name: string;
  /** What a person runs to sign in again, e.g. `cosell-sync login partner-center --config /etc/cosell.yaml`. */
  loginCommand: string;
}

export interface GrantMonitorDeps {
  store: GrantStore;
  clock: Clock;
  logger: Logger;
  /** The app's notifier, when notifications are configured. */
  notifier?: { reportExpiredGrant: ReportExpiredGrant } | undefined;
  grants: readonly WatchedGrant[];
}

/** What `/readyz` and `status` show of a grant. */
export interface GrantHealth extends ConnectorHealth {
  kind: 'grant';
  account: string | null;
  signedInAt: string | null;
}

/** Readiness of one stored (or missing) grant. */
export function grantHealth(name: string, row: StoredGrant | null, loginCommand: string): GrantHealth {
  const base = { name, kind: 'grant' as const, account: row?.account ?? null, signedInAt: row?.signedInAt ?? null };
  if (row === null) return { ...base, ready: false, reason: `no sign-in stored: run \`${loginCommand}\`` };
  if (row.status === 'expired') {
    const reason = row.reason ?? 'expired';
    return { ...base, ready: false, reason: `sign-in ${reason} (since ${row.statusAt ?? 'unknown'}): run \`${loginCommand}\`` };
  }
  return { ...base, ready: true, reason: null };
}

export class GrantMonitor {
  /** Grant ids already reported in this process. */
  private readonly alerted = new Set<string>();

  constructor(private readonly deps: GrantMonitorDeps) {}

  async report(error: unknown): Promise<boolean> {
    if (!isGrantExpiredError(error)) return false;
    const grantId = error.grantId ?? 'none';
    const key = `${error.grant}\u0000${grantId}`;
    if (error.grantId !== null) {
      const row = await this.deps.store.getGrant(error.grant);
      if (row?.grantId === error.grantId && row.status !== 'expired') {
        await this.deps.store.setGrantStatus({ name: error.grant, grantId: error.grantId, status: 'expired', reason: error.reason }, this.deps.clock.now());
      }
    }
    if (!this.alerted.has(key)) {
      this.alerted.add(key);
      this.deps.logger.error('delegated grant expired or revoked; sign in again', { event: 'grant.expired', grant: error.grant, grantId, reason: error.message });
      this.deps.notifier?.reportExpiredGrant({ source: error.grant, grantId, detail: error.message });
    }
    return true;
  }

  async health(): Promise<GrantHealth[]> {
    return Promise.all(this.deps.grants.map(async (g) => grantHealth(g.name, await this.deps.store.getGrant(g.name), g.loginCommand)));
  }
}
