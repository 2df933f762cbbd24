/**
 * The console in a real browser (the system chromium driven by playwright-core, no browser
 * download) against the sandbox: both simulators, the shipped mappings, a real SQLite store and
 * the daemon's HTTP server. Runs are started by hand (a manual cron) so each step is deterministic.
 * Screenshots of every page go to test-output/console/ for review.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startGraphMailSimulator } from '../../../connectors/graph-mail/simulator';
import { startDynamicsSimulator } from '../../../connectors/dynamics/simulator';
import { startSalesforceSimulator, type SalesforceSimulator } from '../../../connectors/salesforce/simulator';
import type { App } from '../../../src/app';
import { startDaemon, type DaemonHandle } from '../../../src/daemon/daemon';
import { silentLogger } from '../../../src/log';
import { assembleApp } from '../../../src/main';
import { startSandbox } from '../../../src/sandbox/sandbox';
import { ManualCron } from '../../unit/daemon/fakes';

const CHROMIUM = process.env.COSELL_CHROMIUM_PATH ?? process.env.COSELL_TEST_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = path.resolve(__dirname, '../../../test-output/console');
const TOKEN = 'browser-test-token';
const SF = 'salesforce-sandbox';

let dir: string;
let app: App;
let sf: SalesforceSimulator;
let daemon: DaemonHandle;
let base: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;

// Starting the sandbox and a browser on a loaded runner takes more than jest's default 5 s.
jest.setTimeout(120_000);

const shot = (name: string, target: Page = page) => target.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set COSELL_CHROMIUM_PATH`);
  mkdirSync(SHOTS, { recursive: true });
  dir = mkdtempSync(path.join(tmpdir(), 'cosell-console-'));
  app = await startSandbox({
    adapters: {
      startSalesforceSimulator: async () => (sf = await startSalesforceSimulator()),
      startDynamicsSimulator: () => startDynamicsSimulator(),
      startGraphMailSimulator,
    },
    assemble: (loaded, options) => assembleApp(loaded, { ...options, logger: silentLogger }),
    env: { COSELL_SANDBOX_ADMIN_TOKEN: TOKEN },
    dataDir: dir,
  });
  const cron = new ManualCron();
  daemon = startDaemon(app, { http: { port: 0, host: '127.0.0.1' }, schedule: cron.schedule, runOnStart: false, installSignalHandlers: false });
  base = String((await daemon.ready).httpAddress);
  // The sandbox left a Salesforce user's "Closed Won" on a referral that expired in co-sell: the next run finds it.
  await daemon.scheduler.runInstance(SF);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  // Forms and links only: everything below works without the page script.
  context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
});

afterAll(async () => {
  await browser?.close();
  await daemon?.stop('test');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function logIn(target: Page, name: string): Promise<void> {
  await target.goto(`${base}/console/login`);
  await target.getByLabel('Admin token').focus();
  await target.keyboard.type(TOKEN);
  await target.keyboard.press('Tab');
  await target.keyboard.type(name);
  await target.keyboard.press('Enter');
  await target.waitForURL(`${base}/console/`);
}

describe('the console in a browser', () => {
  it('shows the login page to a visitor without a session, and the overview after logging in with the keyboard', async () => {
    const res = await page.goto(`${base}/console/conflicts`);
    expect(res?.status()).toBe(401);
    await expect(page.getByLabel('Admin token').isVisible()).resolves.toBe(true);
    await shot('01-login');
    await logIn(page, 'Ana');
    await expect(page.locator('h1').textContent()).resolves.toBe('Overview');
    const rows = page.locator('tbody tr');
    await expect(rows.count()).resolves.toBe(2);
    await expect(page.locator('tbody').textContent()).resolves.toContain(SF);
    await shot('02-overview');
  });

  it('settles the sandbox\'s terminal conflict from its page', async () => {
    await page.goto(`${base}/console/conflicts?kind=terminal&connector=${SF}`);
    await shot('03-conflicts');
    const link = page.locator('tbody tr a').first();
    await link.click();
    await expect(page.locator('h1').textContent()).resolves.toMatch(/^Conflict \d+$/);
    await expect(page.locator('table.sides').textContent()).resolves.toContain('changed in the CRM');
    await shot('04-conflict');
    const id = Number((await page.locator('h1').textContent())?.replace('Conflict ', ''));
    const conflict = await app.store.getConflict(id);
    expect(conflict).toMatchObject({ kind: 'terminal-outcome', field: 'stage', crmValue: 'won', cosellValue: 'expired', status: 'pending', connector: SF });
    expect(sf.get(conflict?.externalId ?? '')?.['StageName']).toBe('Closed Won');

    await page.getByRole('button', { name: 'Keep the co-sell value' }).click();
    await expect(page.locator('[role=status]').textContent()).resolves.toContain(`conflict ${id} resolved`);
    await expect(page.locator('#conflict-status').textContent()).resolves.toContain('resolved');
    await shot('05-conflict-resolved');
    expect((await app.store.getConflict(id))?.status).toBe('resolved');
    expect((await app.store.listOperatorActions({ connector: SF }))[0]).toMatchObject({ action: 'conflict-resolve', actor: 'console:Ana' });
    // Keeping co-sell's outcome writes it to Salesforce at once: the expired referral is closed lost there.
    expect(sf.get(conflict?.externalId ?? '')?.['StageName']).toBe('Closed Lost');
    expect(await app.store.listConflicts({ connector: SF, status: 'pending', opportunityId: conflict!.opportunityId })).toEqual([]);
  });

  it('settles a field conflict by keeping the co-sell value, and the CRM record changes in the simulator', async () => {
    // What the merge records for a field an admin owns (`owner: manual`): both sides moved, the CRM's value held.
    const link = (await app.store.listLinks({ connector: SF })).find((l) => Object.keys(l.held).length === 0);
    if (!link) throw new Error('the sandbox has no linked Salesforce record');
    const opp = await app.store.applyCommand({ id: link.opportunityId, command: { kind: 'edit', changes: { notes: 'Co-sell: workshop booked' } }, source: { kind: 'user', name: 'seller' }, now: app.clock.now() });
    sf.update(link.externalId, { Description: 'CRM: call next week' });
    await app.store.saveLink({ ...link, held: { notes: 'CRM: call next week' }, opportunityVersion: opp.version });
    const conflict = await app.store.addConflict(
      { opportunityId: link.opportunityId, connector: SF, externalId: link.externalId, kind: 'field', field: 'notes', base: link.base['notes'], crmValue: 'CRM: call next week', cosellValue: 'Co-sell: workshop booked', rule: 'manual', outcome: 'pending' },
      app.clock.now(),
    );
    await page.goto(`${base}/console/conflicts?kind=field`);
    await page.getByRole('link', { name: `#${conflict.id}` }).click();
    await expect(page.locator('table.sides').textContent()).resolves.toContain('changed in co-sell');
    await shot('05b-field-conflict');
    await page.getByRole('button', { name: 'Keep the co-sell value' }).click();
    await expect(page.locator('[role=status]').textContent()).resolves.toContain(`conflict ${conflict.id} resolved: kept the co-sell value of notes`);
    expect(sf.get(link.externalId)?.['Description']).toBe('Co-sell: workshop booked');
  });

  it('pauses a connector instance: no run starts until it is resumed', async () => {
    await page.goto(`${base}/console/run-control`);
    const runsBefore = (await app.store.lastRuns()).find((r) => r.connector === SF)?.runId;
    await page.locator(`form[action="/console/run-control/${SF}/pause"] input[name=reason]`).fill('CRM release tonight');
    await page.getByRole('button', { name: `Pause ${SF}` }).click();
    await expect(page.locator('[role=status]').textContent()).resolves.toContain(`${SF} paused`);
    await shot('06-run-control-paused');
    expect(await daemon.scheduler.runInstance(SF)).toBeNull();
    expect((await app.store.lastRuns()).find((r) => r.connector === SF)?.runId).toBe(runsBefore);
    await page.goto(`${base}/console/`);
    await expect(page.locator('tbody').textContent()).resolves.toContain('paused');
    await page.goto(`${base}/console/run-control`);
    await page.getByRole('button', { name: `Resume ${SF}` }).click();
    expect(await daemon.scheduler.runInstance(SF)).not.toBeNull();
  });

  it('previews one record\'s resync, then resyncs it', async () => {
    const link = (await app.store.listLinks({ connector: SF }))[0];
    expect(link).toBeDefined();
    sf.update(link?.externalId ?? '', { Amount: 424242 });
    await page.goto(`${base}/console/run-control`);
    await page.getByLabel('Connector instance').selectOption(SF);
    await page.getByLabel('CRM record id').fill(link?.externalId ?? '');
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect(page.locator('#preview-title').textContent()).resolves.toContain(link?.externalId ?? '');
    await expect(page.locator('section.card table').textContent()).resolves.toContain('424242');
    await shot('07-record-preview');
    expect((await app.store.getOpportunity(link!.opportunityId))?.opportunity.estimatedValue.amount).not.toBe(424242);
    await page.getByRole('button', { name: 'Resync it now' }).click();
    await expect(page.locator('[role=status]').textContent()).resolves.toContain('resynced');
    expect((await app.store.getOpportunity(link!.opportunityId))?.opportunity.estimatedValue.amount).toBe(424242);
  });

  it('shows dead letters, opportunities and a deal with its audit trail', async () => {
    await page.goto(`${base}/console/dead-letters`);
    await shot('08-dead-letters');
    await page.goto(`${base}/console/opportunities?view=inbound`);
    await expect(page.locator('tbody tr').count()).resolves.toBeGreaterThan(0);
    await shot('09-opportunities');
    await page.locator('tbody tr a').first().click();
    await expect(page.getByRole('heading', { name: 'Audit trail' }).isVisible()).resolves.toBe(true);
    await shot('10-opportunity');
  });

  it('fits a phone\'s width and refreshes the overview with its script', async () => {
    const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true });
    const small = await phone.newPage();
    await logIn(small, 'Bo');
    const overflow = await small.evaluate(() => {
      const view = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
      return view.document.documentElement.scrollWidth - view.innerWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('11-overview-phone', small);
    const rows = await small.evaluate(async () => (await fetch('/console/overview/rows')).text());
    expect(rows).toContain(SF);
    await phone.close();
  });

  it('refuses a form posted from another site', async () => {
    const other = await browser.newContext();
    const evil = await other.newPage();
    await logIn(evil, 'Cy');
    await evil.goto('about:blank');
    const status = await evil.evaluate(async (url) => {
      const res = await fetch(`${url}/console/run-control/${'salesforce-sandbox'}/pause`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'reason=x', credentials: 'include' });
      return res.status;
    }, base).catch(() => 0);
    expect([0, 401, 403]).toContain(status);
    expect((await app.store.getRunControl(SF))?.paused).toBe(false);
    await other.close();
  });

  it('lists on the overview the inbound referrals no CRM instance takes, linking each to its deal', async () => {
    await page.goto(`${base}/console/`);
    await expect(page.locator('#unrouted + p').textContent()).resolves.toContain('Every open inbound referral is taken');
    // The instances' rules as a configuration that takes only Antarctica would have them.
    const rules = app.config.connectors.map((c) => [c, c.inbound] as const);
    for (const c of app.config.connectors) c.inbound = { by: 'country', values: ['AQ'] };
    try {
      await page.goto(`${base}/console/`);
      const table = page.locator('table[aria-labelledby="unrouted"]');
      const open = (await app.store.listOpportunities({ direction: 'inbound', limit: 500 })).items.filter((s) => ['received', 'accepted'].includes(s.opportunity.stage));
      expect(open.length).toBeGreaterThan(0);
      await expect(table.locator('tbody tr').count()).resolves.toBe(open.length);
      await shot('12-overview-unrouted');
      await table.locator('tbody tr a').first().click();
      await expect(page.getByRole('heading', { name: 'Audit trail' }).isVisible()).resolves.toBe(true);
    } finally {
      for (const [c, inbound] of rules) {
        if (inbound === undefined) delete c.inbound;
        else c.inbound = inbound;
      }
    }
  });
});
