/** Test harness of the store suite: a fresh database per test, and helpers to fill it. */
import type { Command, OpportunityId } from '../../../src/core';
import type { ChangeSource, StateStore, StoredOpportunity } from '../../../src/store';
import { anInboundInput, anOpportunityId, anOutboundInput, T0 } from '../../unit/core/builders';

/** One empty, migrated database; `open` gives another store instance (own connections) on it. */
export interface StoreDatabase {
  open(): Promise<StateStore>;
  drop(): Promise<void>;
}
export type StoreDatabaseFactory = () => Promise<StoreDatabase>;

export interface StoreContext {
  /** The store of the current test. */
  readonly store: StateStore;
  /** Another store instance on the same database (closed after the test). */
  open(): Promise<StateStore>;
}

/** Registers beforeEach/afterEach hooks giving each test a fresh database; read the context inside tests. */
export function useFreshStore(factory: StoreDatabaseFactory): StoreContext {
  let database: StoreDatabase | null = null;
  let opened: StateStore[] = [];
  const open = async (): Promise<StateStore> => {
    if (database === null) throw new Error('no database: called outside a test');
    const store = await database.open();
    opened.push(store);
    return store;
  };
  const context = { store: null as unknown as StateStore, open };
  beforeEach(async () => {
    database = await factory();
    opened = [];
    context.store = await open();
  });
  afterEach(async () => {
    await Promise.all(opened.map((store) => store.close()));
    await database?.drop();
    database = null;
  });
  return context;
}

export const USER: ChangeSource = { kind: 'user', name: 'alice' };
export const minutesAfter = (start: Date, minutes: number): Date => new Date(start.getTime() + minutes * 60_000);

export async function apply(
  store: Pick<StateStore, 'applyCommand'>,
  id: OpportunityId,
  command: Command,
  now: Date = T0,
): Promise<StoredOpportunity> {
  return store.applyCommand({ id, command, source: USER, now });
}

export function createOutbound(store: StateStore, id: string, now: Date = T0, dealName = 'Contoso inventory rollout'): Promise<StoredOpportunity> {
  const oppId = anOpportunityId(id);
  return apply(store, oppId, { kind: 'createOutbound', id: oppId, input: anOutboundInput({ dealName }) }, now);
}

export function receiveInbound(store: StateStore, id: string, now: Date = T0): Promise<StoredOpportunity> {
  const oppId = anOpportunityId(id);
  return apply(store, oppId, { kind: 'receiveInbound', id: oppId, input: anInboundInput() }, now);
}

export const ids = (items: readonly StoredOpportunity[]): string[] => items.map((item) => item.opportunity.id).sort();
