/**
 * Delegated sign-in to Partner Center over real HTTP: device code flow against the simulator's
 * Entra endpoints, the sealed token cache in SQLite and PostgreSQL, silent refresh with rotated
 * refresh tokens, and a revoked grant reported as grant_expired.
 */
import { createDelegatedTokenSource, loginPartnerCenter, PARTNER_CENTER_GRANT } from '../../../connectors/partner-center/auth';
import { createPartnerCenterConnector } from '../../../connectors/partner-center';
import type { PartnerCenterSimulator } from '../../../connectors/partner-center/simulator';
import { GrantExpiredError } from '../../../src/errors';
import type { StateStore } from '../../../src/store';
import { authOptions, ENV, openStore, signIn, startSim, USER, type StoreKind } from './auth-harness';
import { capturingLogger, FAST_RETRY, quietLogger } from './setup';
import { pgQuery } from '../../helpers/postgres-schema';
import Database from 'better-sqlite3';

async function rawGrantRows(location: { kind: StoreKind; path?: string; schema?: string }): Promise<string> {
  if (location.kind === 'sqlite') {
    const db = new Database(location.path ?? '', { readonly: true });
    try {
      return JSON.stringify(db.prepare('select * from grants').all());
    } finally {
      db.close();
    }
  }
  return JSON.stringify(await pgQuery(`select * from "${location.schema ?? ''}".grants`));
}

const failureOf = async (p: Promise<unknown>): Promise<Error> => {
  try {
    await p;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
};

describe.each(['sqlite', 'postgres'] as const)('Partner Center delegated auth (%s store)', (kind) => {
  let sim: PartnerCenterSimulator;
  let store: StateStore;
  let location: { kind: StoreKind; path?: string; schema?: string };
  let drop: () => Promise<void>;

  beforeEach(async () => {
    // Short access tokens (under MSAL's 5-minute renewal margin): every silent call redeems the
    // refresh token; revoke-old rotation makes a stale refresh token fail.
    sim = await startSim({ accessTokenLifetimeSeconds: 120, rotation: 'revoke-old' });
    ({ store, location, drop } = await openStore(kind));
  });
  afterEach(async () => {
    await store.close();
    await drop();
    await sim.close();
  });

  it('signs in with the device code, stores the cache sealed, and a new token source reads it', async () => {
    const { result, prompts } = await signIn(sim, store);
    expect(prompts).toHaveLength(1);
    expect(prompts[0]?.verificationUri).toBe(`${sim.origin}/devicelogin`);
    expect(prompts[0]?.message).toContain(prompts[0]?.userCode);
    expect(result).toMatchObject({ account: USER.username, name: USER.name, tenantId: sim.entra.tenantId });
    expect(sim.entra.calls.device_code).toBeGreaterThanOrEqual(2); // authorization_pending, then tokens

    const row = await store.getGrant(PARTNER_CENTER_GRANT);
    expect(row).toMatchObject({ grantId: result.grantId, account: USER.username, status: 'active', reason: null });
    expect(row?.cache).toMatch(/^v1\./);
    const raw = await rawGrantRows(location);
    const issued = sim.entra.issuedTokens();
    expect(issued.access.length + issued.refresh.length).toBeGreaterThan(0);
    for (const token of [...issued.access, ...issued.refresh]) expect(raw).not.toContain(token);
    expect(raw).not.toContain('secret');
    expect(raw).not.toContain('AccessToken');

    // A new token source (as in a new process) reads the stored cache and calls the Referrals API.
    const tokens = createDelegatedTokenSource(authOptions(sim), { store, env: ENV, logger: quietLogger() });
    const api = createPartnerCenterConnector({ name: 'pc', apiBase: sim.apiBase, retry: FAST_RETRY, timeoutMs: 10_000 }, { logger: quietLogger(), tokens });
    sim.receive({ name: 'Fabrikam', customerProfile: { name: 'Fabrikam' }, consent: {}, details: {} });
    const pages = [];
    for await (const page of api.list({})) pages.push(page);
    expect(pages[0]?.referrals.map((r) => r.name)).toEqual(['Fabrikam']);
    await api.close();
    expect(await tokens.account()).toBe(USER.username);
  });

  it('refreshes through the stored, rotated refresh token, across token sources', async () => {
    await signIn(sim, store);
    const first = createDelegatedTokenSource(authOptions(sim), { store, env: ENV, logger: quietLogger() });
    const before = sim.entra.calls.refresh_token;
    const a = await first.token(false);
    expect(sim.entra.accepts(a)).toBe(true);
    const cacheAfterFirst = (await store.getGrant(PARTNER_CENTER_GRANT))?.cache;
    // A second source (another worker) uses the refresh token the first one stored; with
    // revoke-old rotation the one from the sign-in no longer works.
    const second = createDelegatedTokenSource(authOptions(sim), { store, env: ENV, logger: quietLogger() });
    const b = await second.token(false);
    const c = await first.token(true);
    expect(new Set([a, b, c]).size).toBe(3);
    expect(sim.entra.calls.refresh_token - before).toBe(3);
    expect(sim.entra.accepts(c)).toBe(true);
    expect((await store.getGrant(PARTNER_CENTER_GRANT))?.cache).not.toBe(cacheAfterFirst);
  });

  it('a revoked grant is grant_expired with the sign-in command, marked in the store, and no token is logged', async () => {
    const capture = capturingLogger();
    const { result } = await signIn(sim, store, { logger: capture.logger });
    const tokens = createDelegatedTokenSource(authOptions(sim), { store, env: ENV, logger: capture.logger, configPath: '/etc/cosell/cosell.yaml' });
    await tokens.token(false);
    sim.entra.revokeGrants(USER.username);
    const error = await failureOf(tokens.token(false));
    expect(error).toBeInstanceOf(GrantExpiredError);
    expect(error).toMatchObject({ code: 'grant_expired', retryable: false, grant: 'partner-center', grantId: result.grantId });
    expect(error.message).toContain('run `cosell-sync login partner-center --config /etc/cosell/cosell.yaml`');
    expect(error.message).toContain('AADSTS50173');
    expect(await store.getGrant(PARTNER_CENTER_GRANT)).toMatchObject({ status: 'expired', reason: expect.stringContaining('revoked') });
    // Once marked, no further identity call is made: the grant stays expired until a new sign-in.
    const calls = sim.entra.calls.refresh_token;
    expect(await failureOf(tokens.token(false))).toBeInstanceOf(GrantExpiredError);
    expect(sim.entra.calls.refresh_token).toBe(calls);
    const lines = JSON.stringify(capture.lines());
    expect(capture.lines().some((l) => l['event'] === 'partner-center.grant-expired')).toBe(true);
    const issued = sim.entra.issuedTokens();
    for (const token of [...issued.access, ...issued.refresh]) expect(lines).not.toContain(token);

    // Signing in again replaces the grant: active, a new grant id.
    const again = await signIn(sim, store);
    expect(again.result.grantId).not.toBe(result.grantId);
    expect(await store.getGrant(PARTNER_CENTER_GRANT)).toMatchObject({ status: 'active', reason: null, grantId: again.result.grantId });
    expect(sim.entra.accepts(await tokens.token(false))).toBe(true);
  });

  it('the store writes a cache or a status only for the grant id it holds', async () => {
    const now = new Date('2026-03-02T09:00:00Z');
    expect(await store.saveGrantCache({ name: 'pc', grantId: 'g1', account: 'a', cache: 'v1.one', signedIn: false }, now)).toBe(false);
    expect(await store.getGrant('pc')).toBeNull();
    expect(await store.saveGrantCache({ name: 'pc', grantId: 'g1', account: 'a', cache: 'v1.one', signedIn: true }, now)).toBe(true);
    expect(await store.setGrantStatus({ name: 'pc', grantId: 'g1', status: 'expired', reason: 'revoked' }, now)).toBe(true);
    expect(await store.saveGrantCache({ name: 'pc', grantId: 'g2', account: 'b', cache: 'v1.two', signedIn: true }, new Date('2026-03-02T10:00:00Z'))).toBe(true);
    // A worker still holding g1 neither overwrites g2's cache nor marks it.
    expect(await store.saveGrantCache({ name: 'pc', grantId: 'g1', account: 'a', cache: 'v1.stale', signedIn: false }, now)).toBe(false);
    expect(await store.setGrantStatus({ name: 'pc', grantId: 'g1', status: 'expired', reason: 'old' }, now)).toBe(false);
    expect(await store.getGrant('pc')).toEqual({
      name: 'pc', grantId: 'g2', account: 'b', cache: 'v1.two', signedInAt: '2026-03-02T10:00:00.000Z', updatedAt: '2026-03-02T10:00:00.000Z', status: 'active', reason: null, statusAt: '2026-03-02T10:00:00.000Z',
    });
    expect(await store.saveGrantCache({ name: 'pc', grantId: 'g2', account: 'b', cache: 'v1.three', signedIn: false }, new Date('2026-03-02T11:00:00Z'))).toBe(true);
    expect(await store.listGrants()).toEqual([expect.objectContaining({ name: 'pc', cache: 'v1.three', updatedAt: '2026-03-02T11:00:00.000Z', signedInAt: '2026-03-02T10:00:00.000Z' })]);
  });

  it('with no sign-in stored, the token source says to sign in', async () => {
    const tokens = createDelegatedTokenSource(authOptions(sim), { store, env: ENV, logger: quietLogger() });
    const error = await failureOf(tokens.token(false));
    expect(error).toMatchObject({ code: 'grant_expired', grantId: null });
    expect(error.message).toContain('cosell-sync login partner-center --config <file>');
    // Nobody signed in comes first; once someone has, a missing key is named.
    const keyless = createDelegatedTokenSource(authOptions(sim), { store, env: {}, logger: quietLogger() });
    expect(await failureOf(keyless.token(false))).toMatchObject({ code: 'grant_expired' });
    await signIn(sim, store);
    const missing = await failureOf(keyless.token(false));
    expect(missing).toMatchObject({ code: 'config', message: expect.stringContaining('environment variable COSELL_TOKEN_KEY is not set') });
  });

  it('a wrong key is a clear error, not a crash; a new sign-in with the new key works', async () => {
    await signIn(sim, store);
    const otherKey = { COSELL_TOKEN_KEY: Buffer.alloc(32, 7).toString('hex') };
    const tokens = createDelegatedTokenSource(authOptions(sim), { store, env: otherKey, logger: quietLogger() });
    const error = await failureOf(tokens.token(false));
    expect(error.name).toBe('TokenCacheKeyError');
    expect(error).toMatchObject({ code: 'config' });
    expect(error.message).toContain('cannot be decrypted with the key in COSELL_TOKEN_KEY');
    expect(await store.getGrant(PARTNER_CENTER_GRANT)).toMatchObject({ status: 'active' });
    await signIn(sim, store, { env: otherKey });
    expect(sim.entra.accepts(await tokens.token(false))).toBe(true);
  });
});

describe('Partner Center sign-in failures', () => {
  it('a device code nobody approves expires with a clear message', async () => {
    const sim = await startSim({ deviceCodeLifetimeSeconds: 1 });
    const { store, drop } = await openStore('sqlite');
    try {
      const error = await failureOf(loginPartnerCenter(authOptions(sim), { store, env: ENV, logger: quietLogger(), onDeviceCode: () => undefined }));
      expect(error.message).toMatch(/code expired before anyone signed in/);
      expect(await store.getGrant(PARTNER_CENTER_GRANT)).toBeNull();
    } finally {
      await store.close();
      await drop();
      await sim.close();
    }
  });

  it('a missing or short key stops the sign-in before Entra is asked', async () => {
    const sim = await startSim();
    const { store, drop } = await openStore('sqlite');
    try {
      const login = (env: NodeJS.ProcessEnv, keyEnv?: string) =>
        failureOf(loginPartnerCenter(authOptions(sim, keyEnv ? { keyEnv } : {}), { store, env, logger: quietLogger(), onDeviceCode: () => undefined }));
      expect((await login({})).message).toContain('environment variable COSELL_TOKEN_KEY is not set');
      expect((await login({ PC_KEY: Buffer.alloc(16).toString('base64') }, 'PC_KEY')).message).toContain('PC_KEY decodes to 16 bytes, not 32');
      expect(sim.entra.calls.devicecode).toBe(0);
    } finally {
      await store.close();
      await drop();
      await sim.close();
    }
  });
});
