/** The one place the Partner Center token source is chosen: given, else the delegated sign-in, else a clear refusal. */
import { ConnectorError } from '../../../src/errors';
import { NOT_SIGNED_IN_MESSAGE, partnerTokenSource } from '../../../src/partner-center/tokens';

const auth = { tenantId: 'tenant', clientId: 'client' };

describe('partnerTokenSource', () => {
  it('takes the source handed in first', async () => {
    const source = partnerTokenSource(auth, { given: { token: async () => 'given' }, delegated: () => ({ token: async () => 'delegated' }) });
    expect(await source.token(false)).toBe('given');
  });

  it('else the delegated sign-in, built from the auth settings', async () => {
    const seen: unknown[] = [];
    const source = partnerTokenSource(auth, { delegated: (a) => (seen.push(a), { token: async () => 'delegated' }) });
    expect(await source.token(false)).toBe('delegated');
    expect(seen).toEqual([auth]);
  });

  it('else every call fails with an auth error naming the sign-in command', async () => {
    const error = await partnerTokenSource(auth, {}).token(false).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'auth', retryable: false, message: NOT_SIGNED_IN_MESSAGE });
    expect(NOT_SIGNED_IN_MESSAGE).toContain('cosell-sync login partner-center');
  });
});
