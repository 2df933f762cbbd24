/**
 * Current values of given rows (the re-read before a merge): `$filter` on the key with
 * Microsoft.Dynamics.CRM.In, 100 ids a request to stay well under URL limits. No participation
 * filter here: a re-read returns the row whatever its state.
 */
import type { CrmRecord } from '../../src/ports/connector';
import type { CurrencyCache } from './currencies';
import { FORMATTED, selectColumns, toCrmRecord } from './fields';
import { idsFilter } from './odata';
import { OPPORTUNITY_KEY } from './options';
import { pageSchema, parseReply } from './schema';
import type { WebApiClient } from './web-api';

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const READ_CHUNK = 100;

export interface ReadRecordsContext {
  api: WebApiClient;
  currencies: CurrencyCache;
  entitySet: string;
  pageSize: number;
}

export async function readRecords(ctx: ReadRecordsContext, ids: readonly string[], fields: readonly string[]): Promise<CrmRecord[]> {
  const wanted = ids.filter((id) => GUID.test(id));
  const plain = fields.filter((f) => !f.endsWith(FORMATTED));
  if (plain.includes('transactioncurrencyid')) await ctx.currencies.load();
  const select = selectColumns(plain).join(',');
  const out: CrmRecord[] = [];
  for (let i = 0; i < wanted.length; i += READ_CHUNK) {
    const filter = encodeURIComponent(idsFilter(OPPORTUNITY_KEY, wanted.slice(i, i + READ_CHUNK)));
    let url: string | undefined = `${ctx.entitySet}?$select=${select}&$filter=${filter}`;
    while (url) {
      const res = await ctx.api.send({
        method: 'GET',
        url,
        headers: { Prefer: `odata.maxpagesize=${ctx.pageSize},odata.include-annotations="OData.Community.Display.V1.FormattedValue"` },
        operation: 'read records',
      });
      const page = parseReply(pageSchema, res.text, 'read records');
      for (const row of page.value) out.push(toCrmRecord(row, { requested: plain, isoOf: (id) => ctx.currencies.isoOf(id) }));
      url = page['@odata.nextLink'];
    }
  }
  return out;
}
