/**
 * Delegated grants (app + user sign-ins, such as Partner Center's) as the store keeps them. The
 * token cache is held sealed: the store sees only ciphertext, never a token.
 */

export type GrantStatus = 'active' | 'expired';

export interface StoredGrant {
  /** What the grant is for, e.g. `partner-center`. One grant per name. */
  name: string;
  /** New at each sign-in: alerts about an expired grant are sent once per grant id. */
  grantId: string;
  /** Who signed in (the user's sign-in name). */
  account: string | null;
  /** The sealed token cache (see the connector's sealing); opaque to the store. */
  cache: string;
  signedInAt: string;
  updatedAt: string;
  status: GrantStatus;
  /** Why it is expired. */
  reason: string | null;
  statusAt: string | null;
}

export interface GrantStore {
  getGrant(name: string): Promise<StoredGrant | null>;
  /**
   * Writes the sealed cache. With `signedIn`, a new sign-in: the grant id, account and sign-in time
   * are replaced and the grant is active again. Otherwise only the cache of the same grant id is
   * updated; returns false (nothing written) when another sign-in replaced that grant meanwhile.
   */
  saveGrantCache(params: { name: string; grantId: string; account: string | null; cache: string; signedIn: boolean }, now: Date): Promise<boolean>;
  /** Marks the grant with this id expired (or active); false when that grant id is no longer stored. */
  setGrantStatus(params: { name: string; grantId: string; status: GrantStatus; reason: string | null }, now: Date): Promise<boolean>;
  listGrants(): Promise<StoredGrant[]>;
}

/** The command that signs a grant in again, as error messages and status show it. */
export function signInCommand(grant: string, configPath: string | undefined): string {
  return `cosell-sync login ${grant} --config ${configPath ?? '<file>'}`;
}
