/** A command given without what it needs (exit 2): the message says how to give it. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const NO_CONFIG =
  'no configuration: give --config FILE or set COSELL_SYNC_CONFIG (`cosell-sync sandbox` runs the bundled simulators without one)';

export const NO_STORE =
  'no store: give --store (a SQLite file such as ./data/cosell-sync.db, or a postgres:// URL), set COSELL_SYNC_STORE, or give --config FILE';
