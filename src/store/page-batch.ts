/**
 * A page of sync work in a few statements: the links, opportunities, pending conflicts and open
 * dead letters of the page are read up front (WHERE ... IN), and the page's new opportunities, their
 * events, links, outbox entries and completed outbox entries are written at its end as multi-row
 * statements, inside the page's one transaction.
 *
 * Every read answers as if each write had gone to the database at once: the hot reads come from
 * what the page read and wrote, and any other call first writes out what is held (flush), then goes
 * to the database. Updates of opportunities that existed before the page, conflicts and dead
 * letters are written at once, as outside a batch.
 */
import type { OpportunityId } from '../core';
import { StateError } from '../errors';
import { eventRow, isCreate, lockEventFeed, planCommand, type ApplyParams } from './apply-command';
import { pendingConflictsOf } from './conflict-repo';
import { openDeadLetterKeys } from './dead-letter-repo';
import type { KyselyOps } from './kysely-ops';
import { chunks, linksByExternalIds, linksByOpportunityIds, saveLinks, setLinkVersions } from './link-repo';
import { enqueueOutboxMany } from './outbox-repo';
import { iso, isUniqueViolation, opportunityColumns, toStoredOpportunity } from './rows';
import type { Db, Dialect, OpportunitiesTable, OpportunityEventsTable } from './schema';
import type { Conflict, Link, LinkVersion, NewDeadLetter, StoredOpportunity, StoreOps } from './types';

/** What a page touches: its connector's records and the opportunities they may create or name. */
export interface PageKeys {
  connector: string;
  externalIds?: readonly string[];
  opportunityIds?: readonly string[];
}

interface OpportunityEntry {
  row: OpportunitiesTable | null;
  parsed?: StoredOpportunity | null;
  /** Created in this page: its row is inserted at the flush. */
  pending: boolean;
}

const linkKey = (connector: string, externalId: string): string => `${connector}\u0000${externalId}`;

/**
 * Opens the batch on an open transaction: reads the page's rows. `ops` is the transaction's own
 * StoreOps, to which every call not served here goes.
 */
export async function openPageBatch(db: Db, ops: KyselyOps, dialect: Dialect, keys: PageKeys): Promise<PageBatch> {
  const batch = new PageBatch(db, ops, dialect, keys.connector);
  await batch.load(keys);
  return batch;
}

export class PageBatch implements StoreOps {
  private readonly linksByExternal = new Map<string, Link | null>();
  private readonly linksByOpportunity = new Map<string, Link | null>();
  private readonly opportunities = new Map<string, OpportunityEntry>();
  private readonly pendingConflicts = new Map<string, Conflict[]>();
  private readonly deadLetters = { externalIds: new Set<string>(), opportunityIds: new Set<string>(), knownExternal: new Set<string>(), knownOpportunity: new Set<string>() };

  private readonly newEvents: Array<Omit<OpportunityEventsTable, 'seq'>> = [];
  private readonly newLinks = new Map<string, Link>();
  /** Version-only changes of links already in the database (written before newLinks, which win). */
  private readonly newVersions = new Map<string, LinkVersion>();
  private readonly newOutbox = new Map<string, { connector: string; opportunityId: OpportunityId; reason: string; now: Date }>();
  private readonly completed: number[] = [];
  /** After a savepoint the page's reads are no longer trusted: every call goes to the database. */
  private bypass = false;

  constructor(
    private readonly db: Db,
    private readonly ops: KyselyOps,
    private readonly dialect: Dialect,
    private readonly connector: string,
  ) {}

  async load(keys: PageKeys): Promise<void> {
    const externalIds = [...new Set(keys.externalIds ?? [])];
    const wanted = new Set(keys.opportunityIds ?? []);
    for (const id of externalIds) this.linksByExternal.set(id, null);
    for (const link of await linksByExternalIds(this.db, this.connector, externalIds)) {
      this.linksByExternal.set(link.externalId, link);
      wanted.add(link.opportunityId);
    }
    const opportunityIds = [...wanted];
    for (const id of opportunityIds) this.linksByOpportunity.set(id, null);
    for (const link of this.linksByExternal.values()) if (link) this.linksByOpportunity.set(link.opportunityId, link);
    const missing = opportunityIds.filter((id) => this.linksByOpportunity.get(id) === null);
    for (const link of await linksByOpportunityIds(this.db, this.connector, missing)) {
      this.linksByOpportunity.set(link.opportunityId, link);
      this.linksByExternal.set(link.externalId, link);
    }
    for (const id of opportunityIds) this.opportunities.set(id, { row: null, pending: false });
    for (const part of chunks(opportunityIds)) {
      const rows = await this.db.selectFrom('opportunities').selectAll().where('id', 'in', part).execute();
      for (const row of rows) this.opportunities.set(row.id, { row, pending: false });
    }
    for (const id of opportunityIds) this.pendingConflicts.set(id, []);
    for (const conflict of await pendingConflictsOf(this.db, this.connector, opportunityIds)) this.pendingConflicts.get(conflict.opportunityId)?.push(conflict);
    const open = await openDeadLetterKeys(this.db, this.connector, { externalIds, opportunityIds });
    this.deadLetters.externalIds = open.externalIds;
    this.deadLetters.opportunityIds = open.opportunityIds;
    this.deadLetters.knownExternal = new Set(externalIds);
    this.deadLetters.knownOpportunity = new Set(opportunityIds);
  }

  /** Writes out what the page holds, in multi-row statements, in an order the foreign keys accept. */
  async flush(): Promise<void> {
    const created = [...this.opportunities.entries()].filter(([, entry]) => entry.pending);
    if (created.length > 0 || this.newEvents.length > 0) await lockEventFeed(this.db, this.dialect);
    for (const part of chunks(created)) {
      try {
        await this.db.insertInto('opportunities').values(part.map(([, entry]) => entry.row as OpportunitiesTable)).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new StateError(`an opportunity of this page already exists (${part.map(([id]) => id).slice(0, 3).join(', ')}...)`, error);
        throw error;
      }
    }
    for (const [, entry] of created) entry.pending = false;
    for (const part of chunks(this.newEvents)) await this.db.insertInto('opportunity_events').values(part).execute();
    this.newEvents.length = 0;
    if (this.newVersions.size > 0) await setLinkVersions(this.db, [...this.newVersions.values()]);
    this.newVersions.clear();
    if (this.newLinks.size > 0) await saveLinks(this.db, [...this.newLinks.values()]);
    this.newLinks.clear();
    if (this.completed.length > 0) await this.ops.completeOutbox(this.completed.splice(0));
    const byConnector = new Map<string, Array<{ opportunityId: OpportunityId; reason: string; now: Date }>>();
    for (const entry of this.newOutbox.values()) byConnector.set(entry.connector, [...(byConnector.get(entry.connector) ?? []), entry]);
    for (const [connector, entries] of byConnector) await enqueueOutboxMany(this.db, connector, entries);
    this.newOutbox.clear();
  }

  /** From now on every call goes to the database (what is held written out first). */
  private async stopServing(): Promise<void> {
    await this.flush();
    this.bypass = true;
  }

  private async through<T>(fn: () => Promise<T>): Promise<T> {
    await this.flush();
    return fn();
  }

  private opportunity(id: string): StoredOpportunity | null | undefined {
    if (this.bypass) return undefined;
    const entry = this.opportunities.get(id);
    if (entry === undefined) return undefined;
    if (entry.parsed === undefined) entry.parsed = entry.row === null ? null : toStoredOpportunity(entry.row);
    return entry.parsed;
  }

  // opportunities
  getOpportunity = async (id: OpportunityId): Promise<StoredOpportunity | null> => {
    const known = this.opportunity(id);
    return known !== undefined ? known : this.ops.getOpportunity(id);
  };

  getOpportunities = async (ids: readonly OpportunityId[]): Promise<StoredOpportunity[]> => {
    if (ids.every((id) => this.opportunity(id) !== undefined)) return ids.flatMap((id) => this.opportunity(id) ?? []);
    return this.through(() => this.ops.getOpportunities(ids));
  };

  applyCommand = async (params: ApplyParams): Promise<StoredOpportunity> => {
    const entry = this.bypass ? undefined : this.opportunities.get(params.id);
    const absent = entry !== undefined && entry.row === null && (entry.parsed === undefined || entry.parsed === null);
    const batched = entry !== undefined && (entry.pending || (absent && isCreate(params.command)));
    if (!batched) {
      // An opportunity that existed before the page (or one it did not read): written at once.
      const stored = await this.ops.applyCommand(params);
      if (entry !== undefined) this.opportunities.set(params.id, { row: null, parsed: stored, pending: false });
      return stored;
    }
    const stored = this.opportunity(params.id) ?? null;
    const planned = planCommand(stored, params);
    if (planned === null) {
      if (stored === null) throw new StateError(`opportunity ${params.id} not found`);
      return stored;
    }
    const version = (stored?.version ?? 0) + 1;
    const row: OpportunitiesTable = { id: params.id, version, updated_at: iso(params.now), ...opportunityColumns(planned.opportunity) };
    const next: StoredOpportunity = { opportunity: planned.opportunity, version, updatedAt: iso(params.now) };
    // The rows' JSON serves the event too: the opportunity is not written out as text again.
    const json = { after: row.data, ...(entry?.row ? { before: entry.row.data } : {}) };
    this.opportunities.set(params.id, { row, parsed: next, pending: true });
    this.newEvents.push(eventRow({ ...params, version, before: stored?.opportunity ?? null, after: planned.opportunity, eventTypes: planned.eventTypes, json }));
    return next;
  };

  listOpportunities: StoreOps['listOpportunities'] = (filter) => this.through(() => this.ops.listOpportunities(filter));
  listEvents: StoreOps['listEvents'] = (id) => this.through(() => this.ops.listEvents(id));
  eventsSince: StoreOps['eventsSince'] = (afterSeq, limit) => this.through(() => this.ops.eventsSince(afterSeq, limit));
  findExpiryDue: StoreOps['findExpiryDue'] = (now, limit) => this.through(() => this.ops.findExpiryDue(now, limit));

  // links
  getLink = async (connector: string, externalId: string): Promise<Link | null> => {
    if (!this.bypass && connector === this.connector) {
      const known = this.linksByExternal.get(externalId);
      if (known !== undefined) return known;
    }
    return this.through(() => this.ops.getLink(connector, externalId));
  };

  getLinkByOpportunity = async (connector: string, opportunityId: OpportunityId): Promise<Link | null> => {
    if (!this.bypass && connector === this.connector) {
      const known = this.linksByOpportunity.get(opportunityId);
      if (known !== undefined) return known;
    }
    return this.through(() => this.ops.getLinkByOpportunity(connector, opportunityId));
  };

  listLinks: StoreOps['listLinks'] = (filter) => this.through(() => this.ops.listLinks(filter));
  listLinkedIds: StoreOps['listLinkedIds'] = (connector) => this.through(() => this.ops.listLinkedIds(connector));

  saveLink = async (link: Link): Promise<void> => {
    if (this.bypass || link.connector !== this.connector) return this.through(() => this.ops.saveLink(link));
    const byRecord = this.linksByExternal.get(link.externalId);
    const byOpportunity = this.linksByOpportunity.get(link.opportunityId);
    // Held only when the page knows no other link holds the opportunity (the unique key) nor this record elsewhere.
    const held =
      byOpportunity !== undefined &&
      (byOpportunity === null || byOpportunity.externalId === link.externalId) &&
      (byRecord === undefined || byRecord === null || byRecord.opportunityId === link.opportunityId);
    if (!held) {
      await this.flush();
      await this.ops.saveLink(link);
    } else {
      this.newLinks.set(linkKey(link.connector, link.externalId), link);
    }
    this.linksByExternal.set(link.externalId, link);
    this.linksByOpportunity.set(link.opportunityId, link);
  };

  setLinkVersion = async (version: LinkVersion): Promise<void> => {
    const known = this.bypass || version.connector !== this.connector ? undefined : this.linksByExternal.get(version.externalId);
    if (known === undefined || known === null) return this.through(() => this.ops.setLinkVersion(version));
    const link: Link = { ...known, crmVersion: version.crmVersion, syncedAt: version.syncedAt };
    const key = linkKey(version.connector, version.externalId);
    // A link saved in this page is written whole at the flush; one read from the database gets its version alone.
    if (this.newLinks.has(key)) this.newLinks.set(key, link);
    else this.newVersions.set(key, version);
    this.linksByExternal.set(link.externalId, link);
    this.linksByOpportunity.set(link.opportunityId, link);
  };

  deleteLink = async (connector: string, externalId: string): Promise<void> => {
    await this.through(() => this.ops.deleteLink(connector, externalId));
    if (connector !== this.connector) return;
    const link = this.linksByExternal.get(externalId);
    if (link) this.linksByOpportunity.set(link.opportunityId, null);
    this.linksByExternal.set(externalId, null);
  };

  // cursors (rows of their own: nothing held here touches them)
  getCursor: StoreOps['getCursor'] = (connector) => this.ops.getCursor(connector);
  setCursor: StoreOps['setCursor'] = (connector, cursor, now) => this.ops.setCursor(connector, cursor, now);

  getRunControl: StoreOps['getRunControl'] = (connector) => this.ops.getRunControl(connector);
  listRunControl: StoreOps['listRunControl'] = () => this.ops.listRunControl();
  setRunControl: StoreOps['setRunControl'] = (params, now) => this.through(() => this.ops.setRunControl(params, now));
  addOperatorAction: StoreOps['addOperatorAction'] = (entry, now) => this.through(() => this.ops.addOperatorAction(entry, now));
  listOperatorActions: StoreOps['listOperatorActions'] = (filter) => this.ops.listOperatorActions(filter);

  // conflicts: written at once; the page's pending lists follow
  addConflict: StoreOps['addConflict'] = async (conflict, now) => {
    const added = await this.through(() => this.ops.addConflict(conflict, now));
    this.pendingConflicts.delete(added.opportunityId);
    return added;
  };

  getConflict: StoreOps['getConflict'] = (id) => this.ops.getConflict(id);

  listConflicts: StoreOps['listConflicts'] = async (filter) => {
    const onlyPending = filter.status === 'pending' && filter.connector === this.connector && filter.limit === undefined && filter.kind === undefined && filter.opportunityIds === undefined;
    const known = !this.bypass && onlyPending && filter.opportunityId !== undefined ? this.pendingConflicts.get(filter.opportunityId) : undefined;
    return known !== undefined ? [...known] : this.ops.listConflicts(filter);
  };

  resolveConflict: StoreOps['resolveConflict'] = async (id, resolution, now) => {
    const resolved = await this.through(() => this.ops.resolveConflict(id, resolution, now));
    this.pendingConflicts.delete(resolved.opportunityId);
    return resolved;
  };

  // outbox: enqueues and completions held to the flush
  enqueueOutbox = async (entry: { connector: string; opportunityId: OpportunityId; reason: string }, now: Date): Promise<void> => {
    if (this.bypass) return this.through(() => this.ops.enqueueOutbox(entry, now));
    const key = linkKey(entry.connector, entry.opportunityId);
    const held = this.newOutbox.get(key);
    // Enqueued twice in the page: the first time's instant, the last reason (as two coalesced enqueues leave it).
    this.newOutbox.set(key, { ...entry, now: held?.now ?? now });
  };

  dueOutbox: StoreOps['dueOutbox'] = (connector, now, limit) => this.through(() => this.ops.dueOutbox(connector, now, limit));

  completeOutbox = async (ids: readonly number[]): Promise<void> => {
    if (this.bypass || this.newOutbox.size > 0) return this.through(() => this.ops.completeOutbox(ids));
    this.completed.push(...ids);
  };

  retryOutboxLater: StoreOps['retryOutboxLater'] = (id, at) => this.through(() => this.ops.retryOutboxLater(id, at));
  countOutbox: StoreOps['countOutbox'] = (connector) => this.through(() => this.ops.countOutbox(connector));

  // dead letters: written at once; resolving a record known to have none costs nothing
  addDeadLetter = async (entry: NewDeadLetter, now: Date): ReturnType<StoreOps['addDeadLetter']> => {
    const letter = await this.through(() => this.ops.addDeadLetter(entry, now));
    if (entry.connector === this.connector) {
      if (letter.externalId !== null) this.deadLetters.externalIds.add(letter.externalId);
      if (letter.opportunityId !== null) this.deadLetters.opportunityIds.add(letter.opportunityId);
    }
    return letter;
  };

  getDeadLetter: StoreOps['getDeadLetter'] = (id) => this.ops.getDeadLetter(id);
  listDeadLetters: StoreOps['listDeadLetters'] = (filter) => this.ops.listDeadLetters(filter);

  resolveDeadLetter: StoreOps['resolveDeadLetter'] = async (id, now) => {
    await this.stopServing(); // which record it was is not known here
    await this.ops.resolveDeadLetter(id, now);
  };

  resolveDeadLettersFor: StoreOps['resolveDeadLettersFor'] = async (params, now) => {
    const { externalId, opportunityId } = params;
    const dl = this.deadLetters;
    const noneByRecord = externalId === undefined || (dl.knownExternal.has(externalId) && !dl.externalIds.has(externalId));
    const noneByOpportunity = opportunityId === undefined || (dl.knownOpportunity.has(opportunityId) && !dl.opportunityIds.has(opportunityId));
    if (!this.bypass && params.connector === this.connector && noneByRecord && noneByOpportunity) return 0;
    const resolved = await this.ops.resolveDeadLettersFor(params, now);
    // Only a resolve of every direction leaves the record with no open letter (one direction may leave the other's).
    if (params.connector === this.connector && params.direction === undefined) {
      if (externalId !== undefined) dl.externalIds.delete(externalId);
      if (opportunityId !== undefined) dl.opportunityIds.delete(opportunityId);
      // Letters found by one key may carry the other: the sets are no longer exact.
      if (resolved > 0) await this.stopServing();
    }
    return resolved;
  };

  // runs
  startRun: StoreOps['startRun'] = (run, now) => this.ops.startRun(run, now);
  finishRun: StoreOps['finishRun'] = (run, now) => this.ops.finishRun(run, now);
  lastRuns: StoreOps['lastRuns'] = () => this.ops.lastRuns();
  abandonRunningRuns: StoreOps['abandonRunningRuns'] = (connector, now) => this.ops.abandonRunningRuns(connector, now);

  // Partner Center's partner lookups: nothing of the page's own rows
  getPartnerLookup: StoreOps['getPartnerLookup'] = (partnerId) => this.ops.getPartnerLookup(partnerId);
  savePartnerLookup: StoreOps['savePartnerLookup'] = (entry) => this.ops.savePartnerLookup(entry);

  // delegated grants (Partner Center's sign-in): nothing of the page's own rows
  getGrant: StoreOps['getGrant'] = (name) => this.ops.getGrant(name);
  saveGrantCache: StoreOps['saveGrantCache'] = (params, now) => this.ops.saveGrantCache(params, now);
  setGrantStatus: StoreOps['setGrantStatus'] = (params, now) => this.ops.setGrantStatus(params, now);
  listGrants: StoreOps['listGrants'] = () => this.ops.listGrants();

  /** A savepoint runs on the plain transaction; the page's reads are dropped (its writes may be rolled back). */
  savepoint = async <T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> => {
    await this.stopServing();
    return this.ops.savepoint(fn);
  };
}
