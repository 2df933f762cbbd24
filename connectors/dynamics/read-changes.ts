/**
 * Change tracking reads ("Use change tracking to synchronize data with external systems"):
 * `Prefer: odata.track-changes` gives the full set page by page (`@odata.nextLink`) and ends with
 * an `@odata.deltaLink`; GETting that link later returns changed rows and `$deletedEntity`
 * entries. The cursor is the delta link, or, after a page in the middle of a pass, the next link.
 *
 * The participation filter is applied here, on each row, not in `$filter`: Dataverse refuses
 * `$filter`, `$orderby`, `$top` and `$expand` on change-tracking requests ("…isn't supported when
 * Change Tracking is enabled"), and tracking is what makes reads incremental. The filter's columns
 * are therefore added to `$select`. A row that stops matching is simply not reported.
 *
 * An expired or unknown delta token (ExpiredVersionStamp, 0x80044352) starts a full pass again,
 * flagged `fullResync`.
 */
import type { Logger } from '../../src/log';
import { ConnectorError, isConnectorError } from '../../src/errors';
import type { ChangePage, CrmRecord, ParticipationFilter, ReadChangesParams } from '../../src/ports/connector';
import type { CurrencyCache } from './currencies';
import { FORMATTED, selectColumns, toCrmRecord } from './fields';
import { filterColumns, matchesFilter } from './odata';
import { pageSchema, parseReply, type PageBody } from './schema';
import type { WebApiClient } from './web-api';

export interface ReadContext {
  api: WebApiClient;
  currencies: CurrencyCache;
  entitySet: string;
  pageSize: number;
  filter: ParticipationFilter | undefined;
  logger: Logger;
}

/** `full:` marks a resumable position inside a full pass; `delta:` a delta link (or a page of one). */
type Cursor = { kind: 'full' | 'delta'; link: string };

function encodeCursor(c: Cursor): string {
  return `${c.kind}:${c.link}`;
}

function decodeCursor(text: string, entitySet: string): Cursor | null {
  const m = /^(full|delta):(.+)$/.exec(text);
  if (!m?.[1] || !m[2] || !m[2].startsWith(`${entitySet}?`)) return null;
  return { kind: m[1] === 'full' ? 'full' : 'delta', link: m[2] };
}

/** Links come back absolute; the cursor keeps them relative to the API base so a moved org URL still works. */
function relativeLink(link: string): string {
  return link.replace(/^https?:\/\/[^/]+\/api\/data\/v\d+(\.\d+)?\//, '');
}

export const trackingPrefer = (pageSize: number): string =>
  `odata.track-changes,odata.maxpagesize=${pageSize},odata.include-annotations="OData.Community.Display.V1.FormattedValue"`;

const isDeleted = (row: Record<string, unknown>): boolean =>
  String(row['@odata.context'] ?? '').endsWith('$deletedEntity') || (row.reason === 'deleted' && typeof row.id === 'string');

function fetchPage(ctx: ReadContext, link: string, signal: AbortSignal | undefined): Promise<PageBody> {
  return ctx.api
    .send({ method: 'GET', url: link, headers: { Prefer: trackingPrefer(ctx.pageSize) }, operation: 'read changes', ...(signal ? { signal } : {}) })
    .then((res) => parseReply(pageSchema, res.text, 'read changes'));
}

function toChangePage(ctx: ReadContext, fields: readonly string[], page: PageBody, from: Cursor): { page: ChangePage; next: Cursor | null } {
  const records: CrmRecord[] = [];
  const deletedIds: string[] = [];
  for (const row of page.value) {
    if (isDeleted(row)) deletedIds.push(String(row.id));
    else if (matchesFilter(ctx.filter, row)) records.push(toCrmRecord(row, { requested: fields, isoOf: (id) => ctx.currencies.isoOf(id) }));
  }
  const next = page['@odata.nextLink'];
  const delta = page['@odata.deltaLink'];
  if (!next && !delta) throw new ConnectorError({ code: 'unknown', message: 'read changes: a page with neither a next link nor a delta link' });
  const cursor: Cursor = next ? { kind: from.kind, link: relativeLink(next) } : { kind: 'delta', link: relativeLink(delta ?? '') };
  return { page: { records, deletedIds, cursor: encodeCursor(cursor), fullResync: from.kind === 'full' }, next: next ? cursor : null };
}

export async function* readChanges(ctx: ReadContext, params: ReadChangesParams): AsyncGenerator<ChangePage> {
  const fields = params.fields.filter((f) => !f.endsWith(FORMATTED));
  const select = selectColumns(fields, filterColumns(ctx.filter));
  if (fields.includes('transactioncurrencyid')) await ctx.currencies.load();
  const initial: Cursor = { kind: 'full', link: `${ctx.entitySet}?$select=${select.join(',')}` };
  let current: Cursor | null = params.cursor === null ? initial : decodeCursor(params.cursor, ctx.entitySet);
  if (current === null) {
    ctx.logger.warn('dynamics cursor not recognised, starting a full resync');
    current = initial;
  }
  let restarted = false;
  while (current) {
    let body: PageBody;
    try {
      body = await fetchPage(ctx, current.link, params.signal);
    } catch (error) {
      if (restarted || current === initial || !isConnectorError(error) || error.code !== 'cursor_expired') throw error;
      ctx.logger.warn('dynamics delta token no longer honoured, starting a full resync', { crmCode: error.crmCode });
      restarted = true;
      current = initial;
      continue;
    }
    const { page, next } = toChangePage(ctx, fields, body, current);
    yield page;
    current = next;
  }
}
