/**
 * Resync of one CRM record on request: re-read it, merge it as a pull would, then push what the
 * merge queued. A dry run does the same inside a transaction that is rolled back and returns the
 * planned writes (what would be written where, and why) without writing anything anywhere.
 */
import { coerceError } from '../errors';
import type { StateStore } from '../store/types';
import type { RunContext } from './context';
import { applyRecord } from './pull';
import { drainFeed, pushOutbox } from './push';
import type { RecordResync } from './types';

interface ResyncDeps {
  store: StateStore;
  context: (connector: string, dryRun: boolean) => RunContext;
}

class PreviewRollback extends Error {}

export async function resyncRecord(deps: ResyncDeps, params: { connector: string; externalId: string; dryRun: boolean }): Promise<RecordResync> {
  const { connector, externalId, dryRun } = params;
  const ctx = deps.context(connector, dryRun);
  const found = await deps.store.withLease(`connector:${connector}`, async (): Promise<RecordResync> => {
    let records;
    try {
      records = await ctx.instance.connector.readRecords([externalId], ctx.instance.mapping.crmFields);
    } catch (error) {
      // A malformed id is refused by the connector before any call; an outage is worth saying too.
      return { ok: false, dryRun, message: `CRM record ${externalId} could not be read from ${connector}: ${coerceError(error).message}`, planned: [] };
    }
    const [record] = records;
    if (record === undefined) {
      return { ok: false, dryRun, message: `CRM record ${externalId} was not found in ${connector} (deleted, or outside what the connector reads)`, planned: [] };
    }
    const link = await deps.store.getLink(connector, externalId);
    try {
      await deps.store.transaction(async (tx) => {
        await applyRecord(tx, ctx, record);
        if (dryRun) throw new PreviewRollback();
      });
    } catch (error) {
      if (!(error instanceof PreviewRollback)) throw error;
    }
    if (!dryRun) {
      await drainFeed(deps.store, ctx);
      await pushOutbox(deps.store, ctx, false);
    }
    const planned = ctx.planned ?? [];
    const what = link ? `linked to co-sell opportunity ${link.opportunityId}` : 'not linked yet';
    const message = dryRun
      ? `preview of CRM record ${externalId} (${what}): ${planned.length} planned write(s); nothing was written`
      : `CRM record ${externalId} (${what}) resynced: ${ctx.counters.applied} applied, ${ctx.counters.conflicts} conflict(s), ${ctx.counters.deadLetters} dead letter(s), ${ctx.counters.pushed} pushed`;
    return { ok: true, dryRun, message, planned };
  });
  return found ?? { ok: false, dryRun, message: `a run of ${connector} is going; try again when it ends`, planned: [] };
}
