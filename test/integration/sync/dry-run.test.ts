/**
 * `sync --once --dry-run` (architecture.md, CLI): the log says what would be done, never that it
 * was done, and nothing is written on either side.
 */
import { PassThrough } from 'node:stream';
import { createLogger } from '../../../src/log';
import { sfOpportunity, startSyncHarness, type SyncHarness } from './harness';

describe('dry run wording', () => {
  let h: SyncHarness;
  afterEach(() => h.close());

  it('a new CRM opportunity is logged as one that would be created, and nothing is created', async () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
    h = await startSyncHarness({ dynamics: false, logger: createLogger({ stream, format: 'json', level: 'debug' }) });
    const [sfId] = h.sf.seed([sfOpportunity({ StageName: 'Closed Won' })]);
    const summary = await h.engine.runOnce({ connector: 'sf', dryRun: true });
    await new Promise((resolve) => setImmediate(resolve));
    const lines = chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { message: string; event?: string; externalId?: string });
    const about = lines.filter((l) => l.externalId === sfId || l.event?.startsWith('sync.would') || l.event === 'sync.created' || l.event === 'sync.stage');
    expect(about.map((l) => l.event)).toEqual(expect.arrayContaining(['sync.would_create', 'sync.would_stage']));
    expect(about.map((l) => l.event)).not.toContain('sync.created');
    expect(about.map((l) => l.event)).not.toContain('sync.stage');
    for (const line of about) expect(line.message).toMatch(/^dry run: would /);
    expect(summary).toMatchObject({ dryRun: true, applied: 2 });
    expect(summary.planned).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'create', externalId: sfId })]));
    expect((await h.store.listOpportunities({ view: 'all' })).items).toHaveLength(0);
    expect(await h.store.getLink('sf', sfId!)).toBeNull();
  });
});
