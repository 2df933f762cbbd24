/**
 * Notifications sent exactly once, on a real store (SQLite and PostgreSQL share this suite) and the
 * Graph mail simulator over real HTTP: repeated ticks, a restart (a new store and notifier on the
 * same database), two workers at once, failed and interrupted sends. Logs never carry an address.
 */
import { PassThrough } from 'node:stream';
import { createGraphMailSender } from '../../../connectors/graph-mail';
import { startGraphMailSimulator, type GraphMailSimulator } from '../../../connectors/graph-mail/simulator';
import { DAY_MS, type Clock } from '../../../src/core/clock';
import { createLogger, type Logger } from '../../../src/log';
import { NOTIFICATIONS_SCHEMA, Notifier, type NotificationSettings } from '../../../src/notify';
import type { MailSender } from '../../../src/ports/mail';
import { runExpirySweep, type StateStore } from '../../../src/store';
import { anOpportunityId, T0 } from '../../unit/core/builders';
import { receiveInbound, useFreshStore, type StoreDatabaseFactory } from '../store/harness';

const INBOUND = ['sales@partner.example', 'lead@partner.example'];
const OPS = ['ops@partner.example'];
const SELLER = 'seller@microsoft.example';

export function notifySuite(name: string, factory: StoreDatabaseFactory): void {
  describe(`notifications sent exactly once (${name})`, () => {
    const ctx = useFreshStore(factory);
    let sim: GraphMailSimulator;
    let mail: MailSender;
    let lines: string[];
    let logger: Logger;
    const clock = { at: T0, now(): Date { return this.at; } } as Clock & { at: Date };
    const settings = (overrides: Record<string, unknown> = {}): NotificationSettings =>
      NOTIFICATIONS_SCHEMA.parse({
        enabled: true,
        mail: { kind: 'graph', tenantId: 't', clientId: 'c', clientSecret: 's', sender: 'n@x.example' },
        recipients: { inbound: INBOUND, ops: OPS, senders: { microsoft: [SELLER] } },
        expiryWarningDays: 3, connectorFailures: 2, deadLetterThreshold: 2, lookbackHours: 24 * 30,
        ...overrides,
      });
    const notifier = (store: StateStore, s = settings()) => new Notifier({ store, mail, settings: s, clock, logger, connectors: ['sf'] });
    const sent = (kind?: string) => sim.mailbox().filter((m) => kind === undefined || m.subject.startsWith(kind));
    const pairs = () => sim.mailbox().map((m) => `${m.subject} ${m.body} -> ${m.to.join(',')}`).sort();
    /** A restart: the store closes and a new process opens the same database. */
    const restart = async (store: StateStore): Promise<StateStore> => {
      await store.close();
      return ctx.open();
    };

    beforeEach(async () => {
      clock.at = T0;
      sim = await startGraphMailSimulator();
      mail = createGraphMailSender(
        { tenantId: sim.tenantId, clientId: sim.clientId, clientSecret: sim.clientSecret, authority: sim.authority, graphUrl: sim.url, sender: sim.sender, retry: { initialDelayMs: 1, maxDelayMs: 5 } },
        { logger: createLogger({ level: 'error', format: 'json' }) },
      );
      lines = [];
      const stream = new PassThrough();
      stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
      logger = createLogger({ level: 'debug', format: 'json', stream });
    });
    afterEach(async () => {
      await sim.close();
      // No address ever reaches a log line.
      expect(lines.join('\n')).not.toMatch(/@/);
    });

    it('sends the new-inbound, warning and expiry mails once each, across restarts', async () => {
      let store = ctx.store;
      await receiveInbound(store, 'opp-a', T0);
      expect((await notifier(store).tick()).sent).toBe(2);
      expect((await notifier(store).tick()).sent).toBe(0);
      store = await restart(store);
      expect((await notifier(store).tick()).sent).toBe(0);
      expect(sent('New co-sell referral').map((m) => m.to[0]).sort()).toEqual([...INBOUND].sort());

      clock.at = new Date(T0.getTime() + 12 * DAY_MS);
      expect((await notifier(store).tick()).byKind).toEqual({ 'expiry-warning': 2 });
      store = await restart(store);
      expect((await notifier(store).tick()).sent).toBe(0);
      expect(sent('Referral expires in 2 day(s)')).toHaveLength(2);

      clock.at = new Date(T0.getTime() + 14 * DAY_MS + 60_000);
      await runExpirySweep(store, clock);
      expect((await notifier(store).tick()).byKind).toEqual({ expired: 3 });
      store = await restart(store);
      expect((await notifier(store).tick()).sent).toBe(0);
      expect(sent('Referral expired').map((m) => m.to[0]).sort()).toEqual([...INBOUND, SELLER].sort());
      expect(sim.mailbox()).toHaveLength(7);
    });

    it('tells the sender of a declined referral, once', async () => {
      const store = ctx.store;
      await receiveInbound(store, 'opp-d', T0);
      await store.applyCommand({ id: anOpportunityId('opp-d'), command: { kind: 'decline', reason: 'No capacity', notes: null }, source: { kind: 'user', name: 'alice' }, now: T0 });
      await notifier(store).tick();
      await notifier(store).tick();
      const declined = sent('Referral declined');
      expect(declined.map((m) => m.to)).toEqual([[SELLER]]);
      expect(declined[0]?.body).toContain('No capacity');
    });

    it('never sends twice with two workers ticking at once', async () => {
      const other = await ctx.open();
      for (const id of ['opp-1', 'opp-2', 'opp-3']) await receiveInbound(ctx.store, id, T0);
      const results = await Promise.all([notifier(ctx.store).tick(), notifier(other).tick(), notifier(ctx.store).tick(), notifier(other).tick()]);
      expect(results.reduce((n, r) => n + r.sent, 0)).toBe(6);
      expect(new Set(pairs()).size).toBe(6);
      expect(sim.mailbox()).toHaveLength(6);
    });

    it('reads a long feed a page per tick without skipping any referral', async () => {
      for (let i = 1; i <= 5; i += 1) await receiveInbound(ctx.store, `opp-p${i}`, T0);
      const paged = () => new Notifier({ store: ctx.store, mail, settings: settings(), clock, logger, connectors: ['sf'], pageSize: 2 });
      expect((await paged().tick()).sent).toBe(4);
      await paged().tick();
      await paged().tick();
      await paged().tick();
      expect(sim.mailbox()).toHaveLength(10);
      expect(new Set(pairs()).size).toBe(10);
    });

    it('sends a refused mail again on a later tick, and then only once', async () => {
      await receiveInbound(ctx.store, 'opp-r', T0);
      sim.failNext({ status: 400, count: 2 });
      const first = await notifier(ctx.store).tick();
      expect(first).toMatchObject({ sent: 0, failed: 2 });
      const second = await notifier(ctx.store).tick();
      expect(second).toMatchObject({ sent: 2, failed: 0 });
      await notifier(ctx.store).tick();
      expect(sim.mailbox()).toHaveLength(2);
      expect((await ctx.store.notificationLog().list()).map((r) => [r.status, r.attempts])).toEqual([['sent', 2], ['sent', 2]]);
    });

    it('never repeats a send whose outcome is unknown (a 500, or a worker that stopped mid-send)', async () => {
      await receiveInbound(ctx.store, 'opp-u', T0);
      const log = ctx.store.notificationLog();
      // A worker claimed the second recipient's mail and stopped before recording anything.
      expect(await log.claim({ kind: 'new-inbound', subject: 'opp:opp-u', recipient: INBOUND[1] as string }, T0)).not.toBeNull();
      sim.failNext({ status: 500 });
      await notifier(ctx.store).tick();
      clock.at = new Date(T0.getTime() + 11 * 60_000);
      await notifier(ctx.store).tick();
      await notifier(await restart(ctx.store)).tick();
      expect(sim.mailbox()).toHaveLength(0);
      expect(sim.requests()).toBe(1);
      const reopened = await ctx.open();
      expect((await reopened.notificationLog().list()).map((r) => r.status)).toEqual(['in-doubt', 'in-doubt']);
    });

    it('alerts ops once per terminal conflict, failure streak, dead-letter backlog and expired grant', async () => {
      let store = ctx.store;
      const conflict = { opportunityId: anOpportunityId('opp-x'), connector: 'sf', externalId: '006A', field: 'stage', base: null, crmValue: 'Open', cosellValue: 'won', rule: 'S1', outcome: 'flagged' } as const;
      await store.addConflict({ ...conflict, kind: 'terminal' }, T0);
      await store.addConflict({ ...conflict, kind: 'field' }, T0);
      const run = async (runId: string, status: 'ok' | 'failed', minute: number) => {
        const at = new Date(T0.getTime() + minute * 60_000);
        await store.startRun({ runId, connector: 'sf', }, at);
        await store.finishRun({ runId, connector: 'sf', status, pulled: 0, applied: 0, pushed: 0, conflicts: 0, deadLetters: 0, apiCalls: 1, error: status === 'ok' ? null : 'sf 503' }, at);
      };
      await run('r1', 'ok', 1);
      await run('r2', 'failed', 2);
      await run('r3', 'failed', 3);
      for (const key of ['ext:1', 'ext:2']) {
        await store.addDeadLetter({ connector: 'sf', direction: 'pull', externalId: key, opportunityId: null, reason: 'REQUIRED_FIELD_MISSING', code: 'validation', payload: {} }, T0);
      }
      const first = notifier(store);
      first.reportExpiredGrant({ source: 'partner-center', grantId: 'grant-1', detail: 'refresh token revoked' });
      expect((await first.tick()).byKind).toEqual({ 'terminal-conflict': 1, 'connector-failing': 1, 'dead-letters': 1, 'grant-expired': 1 });
      first.reportExpiredGrant({ source: 'partner-center', grantId: 'grant-1', detail: 'refresh token revoked' });
      await first.tick();
      store = await restart(store);
      await run('r4', 'failed', 4);
      expect((await notifier(store).tick()).sent).toBe(0);
      // A good run ends the streak; two new failures are a new streak.
      await run('r5', 'ok', 5);
      await run('r6', 'failed', 6);
      await run('r7', 'failed', 7);
      expect((await notifier(store).tick()).byKind).toEqual({ 'connector-failing': 1 });
      expect(sim.mailbox().every((m) => m.to[0] === OPS[0])).toBe(true);
      expect(sim.mailbox()).toHaveLength(5);
    });

    it('claims exclusively: taken once, again only after a failure, never after a send or past the attempts', async () => {
      const log = ctx.store.notificationLog();
      const other = (await ctx.open()).notificationLog();
      const key = { kind: 'new-inbound', subject: 'opp:opp-c', recipient: 'a@b.example' };
      const claim = await log.claim(key, T0, 2);
      expect(claim).not.toBeNull();
      expect(await other.claim(key, T0, 2)).toBeNull();
      await log.markFailed(claim!, 'refused', T0);
      const second = await other.claim(key, T0, 2);
      expect(second).not.toBeNull();
      expect(await log.markSent(claim!, T0)).toBe(false);
      await other.markFailed(second!, 'refused again', T0);
      expect(await log.claim(key, T0, 2)).toBeNull();
      expect(await log.list()).toEqual([expect.objectContaining({ status: 'failed', attempts: 2, lastError: 'refused again' })]);
      const sentKey = { ...key, subject: 'opp:opp-s' };
      const sentClaim = await log.claim(sentKey, T0);
      expect(await log.markSent(sentClaim!, T0)).toBe(true);
      expect(await other.claim(sentKey, T0)).toBeNull();
    });

    it('sends nothing unless enabled and given recipients', async () => {
      await receiveInbound(ctx.store, 'opp-n', T0);
      expect((await notifier(ctx.store, settings({ enabled: false })).tick()).planned).toBe(0);
      expect((await notifier(ctx.store, settings({ recipients: {} })).tick()).planned).toBe(0);
      expect(sim.requests()).toBe(0);
    });
  });
}
