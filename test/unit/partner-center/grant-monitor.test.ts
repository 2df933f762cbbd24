/** GrantMonitor: what a grant_expired error turns into (store status, one alert, readiness). */
import { ManualClock } from '../../../src/core/clock';
import { GrantExpiredError } from '../../../src/errors';
import { silentLogger } from '../../../src/log';
import type { GrantAlert } from '../../../src/notify/planner';
import { GrantMonitor, grantHealth } from '../../../src/partner-center/grant-monitor';
import type { GrantStore, StoredGrant } from '../../../src/ports/grant';

class MemoryGrants implements GrantStore {
  rows = new Map<string, StoredGrant>();
  async getGrant(name: string) {
    return this.rows.get(name) ?? null;
  }
  async saveGrantCache(p: { name: string; grantId: string; account: string | null; cache: string; signedIn: boolean }, now: Date) {
    const at = now.toISOString();
    this.rows.set(p.name, { name: p.name, grantId: p.grantId, account: p.account, cache: p.cache, signedInAt: at, updatedAt: at, status: 'active', reason: null, statusAt: at });
    return true;
  }
  async setGrantStatus(p: { name: string; grantId: string; status: 'active' | 'expired'; reason: string | null }, now: Date) {
    const row = this.rows.get(p.name);
    if (row?.grantId !== p.grantId) return false;
    this.rows.set(p.name, { ...row, status: p.status, reason: p.reason, statusAt: now.toISOString() });
    return true;
  }
  async listGrants() {
    return [...this.rows.values()];
  }
}

const LOGIN = 'cosell-sync login partner-center --config c.yaml';
const clock = new ManualClock('2026-03-02T09:00:00Z');

function setup(): { store: MemoryGrants; alerts: GrantAlert[]; monitor: GrantMonitor } {
  const store = new MemoryGrants();
  const alerts: GrantAlert[] = [];
  const monitor = new GrantMonitor({ store, clock, logger: silentLogger, notifier: { reportExpiredGrant: (a) => alerts.push(a) }, grants: [{ name: 'partner-center', loginCommand: LOGIN }] });
  return { store, alerts, monitor };
}

const expired = (grantId: string | null) =>
  new GrantExpiredError({ grant: 'partner-center', grantId, reason: 'expired or was revoked (invalid_grant: AADSTS50173)', message: 'Partner Center sign-in expired or was revoked (invalid_grant: AADSTS50173): run `x`' });

it('marks the grant expired, alerts once per grant id, and ignores other errors', async () => {
  const { store, alerts, monitor } = setup();
  await store.saveGrantCache({ name: 'partner-center', grantId: 'g1', account: 'a@p.test', cache: 'v1.x', signedIn: true }, clock.now());
  expect(await monitor.report(new Error('boom'))).toBe(false);
  expect(alerts).toEqual([]);
  expect(await monitor.report(expired('g1'))).toBe(true);
  expect(await monitor.report(expired('g1'))).toBe(true);
  expect(alerts).toEqual([{ source: 'partner-center', grantId: 'g1', detail: expect.stringContaining('AADSTS50173') }]);
  expect(await store.getGrant('partner-center')).toMatchObject({ status: 'expired', reason: expect.stringContaining('AADSTS50173') });
  // A new sign-in is a new grant: its expiry alerts again; an old grant's error changes nothing stored.
  await store.saveGrantCache({ name: 'partner-center', grantId: 'g2', account: 'a@p.test', cache: 'v1.y', signedIn: true }, clock.now());
  await monitor.report(expired('g1'));
  expect(await store.getGrant('partner-center')).toMatchObject({ grantId: 'g2', status: 'active' });
  await monitor.report(expired('g2'));
  expect(alerts.map((a) => a.grantId)).toEqual(['g1', 'g2']);
});

it('health: missing, expired and active grants', async () => {
  const { store, monitor } = setup();
  expect(await monitor.health()).toEqual([{ name: 'partner-center', kind: 'grant', ready: false, reason: `no sign-in stored: run \`${LOGIN}\``, account: null, signedInAt: null }]);
  await store.saveGrantCache({ name: 'partner-center', grantId: 'g1', account: 'a@p.test', cache: 'v1.x', signedIn: true }, clock.now());
  expect(await monitor.health()).toEqual([{ name: 'partner-center', kind: 'grant', ready: true, reason: null, account: 'a@p.test', signedInAt: '2026-03-02T09:00:00.000Z' }]);
  await monitor.report(expired('g1'));
  const [h] = await monitor.health();
  expect(h?.ready).toBe(false);
  expect(h?.reason).toBe(`sign-in expired or was revoked (invalid_grant: AADSTS50173) (since 2026-03-02T09:00:00.000Z): run \`${LOGIN}\``);
});

it('grantHealth keeps a reason without a sign-in hint of its own', () => {
  const row: StoredGrant = { name: 'pc', grantId: 'g', account: null, cache: '', signedInAt: 't', updatedAt: 't', status: 'expired', reason: null, statusAt: null };
  expect(grantHealth('pc', row, LOGIN).reason).toBe(`sign-in expired (since unknown): run \`${LOGIN}\``);
});
