/** Human output of opportunities. */
import type { Opportunity } from '../../core/model';
import type { OpportunityEvent, Page, StoredOpportunity } from '../../store/types';
import { formatFields, formatTable } from '../table';

const list = (items: readonly string[]): string | null => (items.length === 0 ? null : items.join(', '));
const money = (o: Opportunity): string => `${o.estimatedValue.amount} ${o.estimatedValue.currency}`;

export function opportunityTable(page: Page<StoredOpportunity>): string {
  const rows = page.items.map(({ opportunity: o, version }) => [
    o.id,
    o.direction,
    o.type,
    o.stage,
    o.dealName === '' ? '(unnamed)' : o.dealName,
    o.customer.name,
    money(o),
    o.estimatedCloseDate,
    o.favorite ? '*' : '',
    version,
  ]);
  const table = formatTable(['ID', 'DIRECTION', 'TYPE', 'STAGE', 'DEAL', 'CUSTOMER', 'VALUE', 'CLOSE', 'FAV', 'V'], rows);
  const more = page.nextCursor === null ? '' : `next page: --cursor ${page.nextCursor}\n`;
  return `${table}${page.items.length} shown\n${more}`;
}

export function opportunityDetail(stored: StoredOpportunity, events: readonly OpportunityEvent[] = []): string {
  const o = stored.opportunity;
  const fields = formatFields([
    ['id', o.id],
    ['version', stored.version],
    ['direction', o.direction],
    ['type', o.type],
    ['stage', o.stage],
    ['deal name', o.dealName],
    ['customer', `${o.customer.name} (${o.customer.location.country})`],
    ['value', money(o)],
    ['close date', o.estimatedCloseDate],
    ['crm id', o.crmId],
    ['campaign id', o.campaignId],
    ['notes', o.notes],
    ['team', list(o.team.map((m) => m.name))],
    ['solutions', list(o.solutions.map((s) => `${s.name} [${s.kind}]`))],
    ['microsoft help', o.microsoftHelpType],
    ['invitations', list(o.invitations.map((i) => `${i.invitee.kind === 'microsoft' ? 'Microsoft' : i.invitee.partnerName} (${i.status})`))],
    ['sender', o.sender?.name ?? null],
    ['favorite', o.favorite ? 'yes' : 'no'],
    ['decline reason', o.declineReason],
    ['received', o.receivedAt],
    ['stage changed', o.stageChangedAt],
  ]);
  if (events.length === 0) return fields;
  const log = formatTable(
    ['SEQ', 'V', 'AT', 'KIND', 'SOURCE'],
    events.map((e) => [e.seq, e.version, e.at, e.kind, `${e.source.kind}:${e.source.name}`]),
  );
  return `${fields}\nevents:\n${log}`;
}

/** One line after a successful command. */
export function changed(stored: StoredOpportunity, verb: string): string {
  const o = stored.opportunity;
  return `${verb} ${o.id}: stage ${o.stage}, type ${o.type}, version ${stored.version}${o.favorite ? ', favorite' : ''}\n`;
}
