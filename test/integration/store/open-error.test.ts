/** A missing or unreachable PostgreSQL is reported as such, without the password, not as "store migration failed". */
import { createStore, type StoreConfig } from '../../../src/store';

async function openFailure(config: StoreConfig): Promise<Error> {
  const outcome = await createStore(config).then(
    async (store) => {
      await store.close();
      return new Error('the store opened');
    },
    (e: unknown) => e as Error,
  );
  return outcome;
}

jest.setTimeout(60_000);

const PG = process.env.COSELL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('opening a PostgreSQL store that cannot be used', () => {
  it('names an unreachable server by host and port, and never the password', async () => {
    const error = await openFailure({ kind: 'postgres', url: 'postgres://cosell:s3cret-pw@127.0.0.1:1/cosell' });
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/^PostgreSQL store at 127\.0\.0\.1:1\/cosell is unreachable \(connection refused\)/);
    expect(error.message).not.toMatch(/s3cret|migration/);
  });

  it('names a database that does not exist', async () => {
    const url = new URL(PG);
    url.pathname = '/cosell_ops_no_such_database';
    const error = await openFailure({ kind: 'postgres', url: url.toString() });
    expect(error.message).toMatch(/cosell_ops_no_such_database has no such database \[3D000\]/);
    expect(error.message).not.toMatch(/migration/);
  });
});
