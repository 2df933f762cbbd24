/**
 * StoreOps over a Kysely instance. The same class serves the root store (each write in its own
 * transaction) and a transaction (every call joins it): `runInTx` decides which.
 */
import { sql } from 'kysely';
import type { OpportunityId } from '../core';
import { applyCommandIn, type ApplyParams } from './apply-command';
import * as conflicts from './conflict-repo';
import * as deadLetters from './dead-letter-repo';
import * as links from './link-repo';
import * as opportunities from './opportunity-repo';
import * as outbox from './outbox-repo';
import { listOpportunities } from './paging';
import * as runs from './run-repo';
import * as partnerLookups from './partner-lookup-repo';
import * as runControl from './run-control-repo';
import * as grants from './grant-repo';
import type { GrantStatus, StoredGrant } from '../ports/grant';
import type { Db, Dialect } from './schema';
import type {
  Conflict,
  CursorState,
  DeadLetter,
  ConflictFilter,
  Link,
  LinkVersion,
  NewConflict,
  NewOperatorAction,
  OperatorAction,
  PartnerLookup,
  RunControl,
  NewDeadLetter,
  OpportunityEvent,
  OpportunityFilter,
  OutboxEntry,
  Page,
  StoreOps,
  StoredOpportunity,
  SyncRun,
} from './types';

export type RunInTx = <T>(fn: (db: Db) => Promise<T>) => Promise<T>;

export class KyselyOps implements StoreOps {
  constructor(
    protected readonly db: Db,
    private readonly runInTx: RunInTx,
    private readonly dialectName: Dialect,
    /** True for the ops of an open transaction (then `savepoint` nests a SAVEPOINT in it). */
    private readonly inTransaction = false,
  ) {}

  getOpportunity = (id: OpportunityId): Promise<StoredOpportunity | null> => opportunities.getOpportunity(this.db, id);
  getOpportunities = (ids: readonly OpportunityId[]): Promise<StoredOpportunity[]> => opportunities.getOpportunities(this.db, ids);
  applyCommand = (params: ApplyParams): Promise<StoredOpportunity> => this.runInTx((db) => applyCommandIn(db, params, this.dialectName));
  listOpportunities = (filter: OpportunityFilter): Promise<Page<StoredOpportunity>> => listOpportunities(this.db, filter);
  listEvents = (opportunityId: OpportunityId): Promise<OpportunityEvent[]> => opportunities.listEvents(this.db, opportunityId);
  eventsSince = (afterSeq: number, limit: number): Promise<opportunities.FeedEntry[]> =>
    opportunities.eventsSince(this.db, afterSeq, limit);
  findExpiryDue = (now: Date, limit?: number): Promise<OpportunityId[]> => opportunities.findExpiryDue(this.db, now, limit);

  getLink = (connector: string, externalId: string): Promise<Link | null> => links.getLink(this.db, connector, externalId);
  getLinkByOpportunity = (connector: string, opportunityId: OpportunityId): Promise<Link | null> =>
    links.getLinkByOpportunity(this.db, connector, opportunityId);
  listLinks = (filter: { connector?: string; opportunityId?: OpportunityId }): Promise<Link[]> => links.listLinks(this.db, filter);
  listLinkedIds = (connector: string): Promise<string[]> => links.listLinkedIds(this.db, connector);
  saveLink = (link: Link): Promise<void> => this.runInTx((db) => links.saveLink(db, link));
  setLinkVersion = (version: LinkVersion): Promise<void> => this.runInTx((db) => links.setLinkVersions(db, [version]));
  deleteLink = (connector: string, externalId: string): Promise<void> =>
    this.runInTx((db) => links.deleteLink(db, connector, externalId));

  getCursor = (connector: string): Promise<CursorState | null> => links.getCursor(this.db, connector);
  setCursor = (connector: string, cursor: string | null, now: Date): Promise<void> =>
    this.runInTx((db) => links.setCursor(db, connector, cursor, now));

  getPartnerLookup = (partnerId: string): Promise<PartnerLookup | null> => partnerLookups.getPartnerLookup(this.db, partnerId);
  savePartnerLookup = (entry: PartnerLookup): Promise<void> => this.runInTx((db) => partnerLookups.savePartnerLookup(db, entry));

  getRunControl = (connector: string): Promise<RunControl | null> => runControl.getRunControl(this.db, connector);
  listRunControl = (): Promise<RunControl[]> => runControl.listRunControl(this.db);
  setRunControl = (params: { connector: string; paused: boolean; actor: string; reason: string | null }, now: Date): Promise<RunControl> =>
    this.runInTx((db) => runControl.setRunControl(db, params, now));
  addOperatorAction = (entry: NewOperatorAction, now: Date): Promise<OperatorAction> =>
    this.runInTx((db) => runControl.addOperatorAction(db, entry, now));
  listOperatorActions = (filter: { connector?: string; limit?: number }): Promise<OperatorAction[]> =>
    runControl.listOperatorActions(this.db, filter);

  getGrant = (name: string): Promise<StoredGrant | null> => grants.getGrant(this.db, name);
  listGrants = (): Promise<StoredGrant[]> => grants.listGrants(this.db);
  saveGrantCache = (params: { name: string; grantId: string; account: string | null; cache: string; signedIn: boolean }, now: Date): Promise<boolean> =>
    this.runInTx((db) => grants.saveGrantCache(db, params, now));
  setGrantStatus = (params: { name: string; grantId: string; status: GrantStatus; reason: string | null }, now: Date): Promise<boolean> =>
    this.runInTx((db) => grants.setGrantStatus(db, params, now));

  addConflict = (conflict: NewConflict, now: Date): Promise<Conflict> => this.runInTx((db) => conflicts.addConflict(db, conflict, now));
  getConflict = (id: number): Promise<Conflict | null> => conflicts.getConflict(this.db, id);
  listConflicts = (filter: ConflictFilter): Promise<Conflict[]> => conflicts.listConflicts(this.db, filter);
  resolveConflict = (id: number, resolution: string, now: Date): Promise<Conflict> =>
    this.runInTx((db) => conflicts.resolveConflict(db, id, resolution, now));

  enqueueOutbox = (entry: { connector: string; opportunityId: OpportunityId; reason: string }, now: Date): Promise<void> =>
    this.runInTx((db) => outbox.enqueueOutbox(db, entry, now));
  dueOutbox = (connector: string, now: Date, limit: number): Promise<OutboxEntry[]> => outbox.dueOutbox(this.db, connector, now, limit);
  completeOutbox = (ids: readonly number[]): Promise<void> => this.runInTx((db) => outbox.completeOutbox(db, ids));
  retryOutboxLater = (id: number, nextAttemptAt: Date): Promise<void> =>
    this.runInTx((db) => outbox.retryOutboxLater(db, id, nextAttemptAt));
  countOutbox = (connector?: string): Promise<number> => outbox.countOutbox(this.db, connector);

  addDeadLetter = (entry: NewDeadLetter, now: Date): Promise<DeadLetter> => this.runInTx((db) => deadLetters.addDeadLetter(db, entry, now));
  getDeadLetter = (id: number): Promise<DeadLetter | null> => deadLetters.getDeadLetter(this.db, id);
  listDeadLetters = (filter: { connector?: string; unresolvedOnly?: boolean; limit?: number }): Promise<DeadLetter[]> =>
    deadLetters.listDeadLetters(this.db, filter);
  resolveDeadLetter = (id: number, now: Date): Promise<void> => this.runInTx((db) => deadLetters.resolveDeadLetter(db, id, now));
  resolveDeadLettersFor = (
    params: { connector: string; externalId?: string; opportunityId?: OpportunityId; direction?: 'pull' | 'push' },
    now: Date,
  ): Promise<number> => this.runInTx((db) => deadLetters.resolveDeadLettersFor(db, params, now));

  startRun = (run: { runId: string; connector: string }, now: Date): Promise<void> => this.runInTx((db) => runs.startRun(db, run, now));
  finishRun = (run: Omit<SyncRun, 'startedAt' | 'finishedAt'>, now: Date): Promise<void> =>
    this.runInTx((db) => runs.finishRun(db, run, now));
  lastRuns = (): Promise<SyncRun[]> => runs.lastRuns(this.db);
  abandonRunningRuns = (connector: string, now: Date): Promise<number> => this.runInTx((db) => runs.abandonRunningRuns(db, connector, now));

  savepoint = async <T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> => {
    if (!this.inTransaction) return this.runInTx((db) => fn(new KyselyOps(db, (inner) => inner(db), this.dialectName, true)));
    // One name serves every level: ROLLBACK TO and RELEASE act on the most recent savepoint of that name.
    await sql`savepoint record_isolation`.execute(this.db);
    let result: T;
    try {
      result = await fn(this);
    } catch (error) {
      await sql`rollback to savepoint record_isolation`.execute(this.db);
      await sql`release savepoint record_isolation`.execute(this.db);
      throw error;
    }
    await sql`release savepoint record_isolation`.execute(this.db);
    return result;
  };
}
