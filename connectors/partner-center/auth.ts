/**
 * Delegated (app + user) access to the Partner API through MSAL's PublicClientApplication.
 *
 * - `loginPartnerCenter` runs the OAuth 2.0 device authorization grant: the caller shows the
 *   verification URL and user code, a person signs in with a Referrals admin account, and the
 *   resulting token cache (access, refresh and id token) is stored under a new grant id.
 * - `createDelegatedTokenSource` gives the Partner Center client its bearer tokens with
 *   acquireTokenSilent for the signed-in account: MSAL answers from the cache, or redeems the
 *   refresh token (Entra rotates it; the new cache is stored). When that cannot work any more
 *   (invalid_grant, interaction_required, no stored sign-in) it throws GrantExpiredError
 *   (`grant_expired`) saying how to sign in again, and marks the grant expired in the store so
 *   that `status` and `/readyz` show it. It never stops silently.
 *
 * The cache goes through MSAL's ICachePlugin to the store (src/ports/grant.ts), sealed with
 * AES-256-GCM (token-seal.ts) under a key from the environment: the store never holds a token in
 * clear, and nothing here logs one.
 * Docs: "Microsoft identity platform and the OAuth 2.0 device authorization grant flow";
 * MSAL Node "Token caching" (ICachePlugin); Partner Center "Referrals API authentication"
 * (app + user only).
 */
import { randomUUID } from 'node:crypto';
import {
  InteractionRequiredAuthError,
  PublicClientApplication,
  type AuthenticationResult,
  type ICachePlugin,
  type TokenCacheContext,
} from '@azure/msal-node';
import { ConfigError, ConnectorError, GrantExpiredError } from '../../src/errors';
import type { Logger } from '../../src/log';
import { signInCommand, type GrantStore } from '../../src/ports/grant';
import type { PartnerTokenSource } from '../../src/ports/referral';
import { msalAuthority } from '../shared/msal-authority';
import { DEFAULT_KEY_ENV, readTokenKey, seal, TokenCacheKeyError, unseal } from './token-seal';

export { DEFAULT_KEY_ENV, TokenCacheKeyError } from './token-seal';

/** The `partnerCenter.auth` configuration section. */
export interface PartnerCenterAuthOptions {
  /** The partner's Entra tenant (GUID or domain). */
  tenantId: string;
  /** The Entra app registration (public client, device code flow allowed) with the Partner API delegated permission. */
  clientId: string;
  /** Default https://login.microsoftonline.com/<tenantId>; a loopback http authority for the simulator. */
  authority?: string;
  /** Default DEFAULT_PARTNER_SCOPES. */
  scopes?: string[];
  /** Environment variable holding the 32-byte sealing key (base64 or hex); default COSELL_TOKEN_KEY. */
  keyEnv?: string;
}

export const DEFAULT_PARTNER_SCOPES: readonly string[] = ['https://api.partner.microsoft.com/user_impersonation', 'offline_access'];
/** The store's name for the Partner Center grant. */
export const PARTNER_CENTER_GRANT = 'partner-center';

export interface DelegatedAuthDeps {
  store: GrantStore;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  now?: () => Date;
  /** Shown in the sign-in hint of errors; default `<file>`. */
  configPath?: string;
}

export interface DeviceCodePrompt {
  verificationUri: string;
  userCode: string;
  /** Entra's own sentence (URL and code). */
  message: string;
  expiresInSeconds: number;
}

export interface LoginDeps extends DelegatedAuthDeps {
  /** Shows the verification URL and code to the person signing in. */
  onDeviceCode(prompt: DeviceCodePrompt): void;
  /** Stop polling after this many seconds (default: the device code's own lifetime). */
  timeoutSeconds?: number;
}

export interface LoginResult {
  /** Sign-in name of the user. */
  account: string | null;
  name: string | null;
  tenantId: string | null;
  grantId: string;
  scopes: string[];
  /** When the first access token expires (ISO). */
  expiresOn: string | null;
}

/** Error codes after which only a new sign-in helps. */
const SIGN_IN_AGAIN = new Set(['invalid_grant', 'interaction_required', 'consent_required', 'login_required', 'bad_token', 'no_tokens_found', 'refresh_token_expired', 'no_account_in_silent_request', 'no_account_found']);

export const loginHint = (configPath: string | undefined): string => signInCommand(PARTNER_CENTER_GRANT, configPath);

function errorCode(error: unknown): string | undefined {
  const value = (error as { errorCode?: unknown } | null)?.errorCode;
  return typeof value === 'string' ? value : undefined;
}

/** The first line of an identity error, AADSTS code included; never a token (Entra does not echo them). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = errorCode(error);
  const description = (error as { errorMessage?: unknown }).errorMessage;
  const text = typeof description === 'string' && description !== '' ? description : error.message;
  // Entra's description ("AADSTS50173: The provided grant has expired ...") is the useful part.
  const aadsts = /AADSTS\d+:[^\n]*?(?=\s+Trace ID:|\s+-\s+Correlation|$)/.exec(text)?.[0];
  const line = aadsts ?? (text.split('\n')[0] ?? '').trim();
  return code && !line.startsWith(code) ? `${code}: ${line}` : line;
}

function resolved(options: PartnerCenterAuthOptions): { scopes: string[]; keyEnv: string } {
  if (options.tenantId.trim() === '') throw new ConfigError('partnerCenter.auth.tenantId is empty');
  if (options.clientId.trim() === '') throw new ConfigError('partnerCenter.auth.clientId is empty');
  const scopes = options.scopes && options.scopes.length > 0 ? [...options.scopes] : [...DEFAULT_PARTNER_SCOPES];
  return { scopes, keyEnv: options.keyEnv ?? DEFAULT_KEY_ENV };
}

/** The user name of the first account in a serialized MSAL cache (its `Account` section). */
function accountName(serialized: string): string | null {
  try {
    const accounts = (JSON.parse(serialized) as { Account?: Record<string, { username?: unknown }> }).Account ?? {};
    const first = Object.values(accounts)[0]?.username;
    return typeof first === 'string' && first !== '' ? first : null;
  } catch {
    return null;
  }
}

/** The stored grant was replaced by a new sign-in while this source held the previous one. */
class GrantReplaced extends Error {}

/**
 * The cache plugin of one grant. In `login` mode it starts from an empty cache (the new sign-in
 * replaces what was stored, even a cache sealed with another key) and stores the result under a
 * new grant id. In `silent` mode it reads the stored cache of its grant before each access and
 * writes it back when MSAL changed it (a refreshed token, a rotated refresh token); when a new
 * sign-in replaced the grant it throws GrantReplaced, and the token source starts over with a
 * fresh MSAL instance (MSAL merges what it deserializes into what it holds, so one instance must
 * never see two grants).
 */
class StoreCachePlugin implements ICachePlugin {
  constructor(
    private readonly mode: 'login' | 'silent',
    readonly grantId: string,
    private readonly store: GrantStore,
    private readonly key: Buffer,
    private readonly keyEnv: string,
    private readonly now: () => Date,
  ) {}

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    if (this.mode === 'login') return;
    const row = await this.store.getGrant(PARTNER_CENTER_GRANT);
    if (row === null || row.grantId !== this.grantId) throw new GrantReplaced();
    context.tokenCache.deserialize(unseal(this.key, row.cache, PARTNER_CENTER_GRANT, this.keyEnv));
  }

  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    if (!context.cacheHasChanged) return;
    const serialized = context.tokenCache.serialize();
    const cache = seal(this.key, serialized, PARTNER_CENTER_GRANT);
    await this.store.saveGrantCache(
      { name: PARTNER_CENTER_GRANT, grantId: this.grantId, account: accountName(serialized), cache, signedIn: this.mode === 'login' },
      this.now(),
    );
  }
}

function application(options: PartnerCenterAuthOptions, plugin: StoreCachePlugin, logger: Logger): PublicClientApplication {
  const settings = msalAuthority({ tenantId: options.tenantId, authority: options.authority, label: 'partnerCenter.auth.authority' });
  return new PublicClientApplication({
    auth: { clientId: options.clientId, ...settings.auth },
    cache: { cachePlugin: plugin },
    system: {
      ...(settings.system ?? {}),
      loggerOptions: {
        piiLoggingEnabled: false,
        // MSAL's own lines carry no tokens with PII logging off; only its warnings and errors are kept.
        loggerCallback: (level, message) => {
          if (level <= 1) logger.debug('msal', { event: 'partner-center.msal', message: message.slice(0, 300) });
        },
      },
    },
  });
}

/**
 * Runs the device code flow and stores the sealed cache. The key is checked before anything is
 * asked of Entra, so a missing key never costs a sign-in.
 */
export async function loginPartnerCenter(options: PartnerCenterAuthOptions, deps: LoginDeps): Promise<LoginResult> {
  const { scopes, keyEnv } = resolved(options);
  const key = readTokenKey(deps.env, keyEnv);
  const now = deps.now ?? (() => new Date());
  const plugin = new StoreCachePlugin('login', randomUUID(), deps.store, key, keyEnv, now);
  const app = application(options, plugin, deps.logger);
  let result: AuthenticationResult | null;
  try {
    result = await app.acquireTokenByDeviceCode({
      scopes,
      deviceCodeCallback: (response) =>
        deps.onDeviceCode({ verificationUri: response.verificationUri, userCode: response.userCode, message: response.message, expiresInSeconds: response.expiresIn }),
      ...(deps.timeoutSeconds === undefined ? {} : { timeout: deps.timeoutSeconds }),
    });
  } catch (error) {
    // MSAL reports a polling error from the server as post_request_failed with the server's code as its message.
    const codes = [errorCode(error), (error as { errorMessage?: unknown } | null)?.errorMessage];
    const hint = codes.some((c) => c === 'expired_token' || c === 'device_code_expired' || c === 'user_timeout_reached')
      ? 'the code expired before anyone signed in with it; run the command again'
      : codes.includes('authorization_declined')
          ? 'the sign-in was declined'
          : 'Partner Center sign-in failed';
    throw new ConnectorError({ code: 'auth', message: `${hint} (${describe(error)})`, retryable: false, cause: error });
  }
  if (!result?.accessToken || !result.account) {
    throw new ConnectorError({ code: 'auth', message: 'Partner Center sign-in returned no account', retryable: false });
  }
  const grantId = plugin.grantId;
  deps.logger.info('partner center sign-in stored', { event: 'partner-center.login', grantId });
  return {
    account: result.account.username || null,
    name: result.account.name ?? null,
    tenantId: result.account.tenantId || null,
    grantId,
    scopes: result.scopes,
    expiresOn: result.expiresOn ? result.expiresOn.toISOString() : null,
  };
}

export interface DelegatedTokenSource extends PartnerTokenSource {
  /** The stored sign-in's account, or null when none is stored. */
  account(): Promise<string | null>;
}

/**
 * The Partner Center client's token source. Without a stored sign-in every call is
 * GrantExpiredError saying to sign in; with one, a missing or short sealing key is a ConfigError
 * naming the variable. Concurrent callers share one acquisition.
 */
export function createDelegatedTokenSource(options: PartnerCenterAuthOptions, deps: DelegatedAuthDeps): DelegatedTokenSource {
  const { scopes, keyEnv } = resolved(options);
  const now = deps.now ?? (() => new Date());
  const hint = loginHint(deps.configPath);
  /** The MSAL instance of the grant last used. */
  let current: { grantId: string; app: PublicClientApplication } | null = null;

  const expired = async (grantId: string | null, reason: string, cause?: unknown): Promise<GrantExpiredError> => {
    if (grantId !== null) await deps.store.setGrantStatus({ name: PARTNER_CENTER_GRANT, grantId, status: 'expired', reason }, now());
    return new GrantExpiredError({ grant: PARTNER_CENTER_GRANT, grantId, reason, message: `Partner Center sign-in ${reason}: run \`${hint}\``, cause });
  };

  const attempt = async (forceRefresh: boolean): Promise<string> => {
    const row = await deps.store.getGrant(PARTNER_CENTER_GRANT);
    if (row === null) throw await expired(null, 'is missing (nobody signed in yet)');
    if (row.status === 'expired') {
      throw new GrantExpiredError({ grant: PARTNER_CENTER_GRANT, grantId: row.grantId, reason: row.reason ?? 'expired', message: `Partner Center sign-in ${row.reason ?? 'expired'}: run \`${hint}\`` });
    }
    if (current?.grantId !== row.grantId) {
      // The key is needed from here on: missing or short, a ConfigError naming the variable.
      const key = readTokenKey(deps.env, keyEnv);
      const plugin = new StoreCachePlugin('silent', row.grantId, deps.store, key, keyEnv, now);
      current = { grantId: row.grantId, app: application(options, plugin, deps.logger) };
    }
    const { app, grantId } = current;
    const accounts = await app.getTokenCache().getAllAccounts();
    const account = accounts.find((a) => a.username === row.account) ?? accounts[0];
    if (account === undefined) throw await expired(grantId, 'holds no account');
    try {
      const result = await app.acquireTokenSilent({ account, scopes, forceRefresh });
      if (!result?.accessToken) throw new Error('no access token in the identity response');
      return result.accessToken;
    } catch (error) {
      if (error instanceof TokenCacheKeyError || error instanceof GrantReplaced) throw error;
      const code = errorCode(error);
      if (error instanceof InteractionRequiredAuthError || (code !== undefined && SIGN_IN_AGAIN.has(code))) {
        deps.logger.error('partner center sign-in expired or revoked', { event: 'partner-center.grant-expired', grantId, code, reason: describe(error) });
        throw await expired(grantId, `expired or was revoked (${describe(error)})`, error);
      }
      throw new ConnectorError({ code: 'auth', message: `Partner Center token request failed: ${describe(error)}`, retryable: true, cause: error });
    }
  };

  const acquire = async (forceRefresh: boolean): Promise<string> => {
    try {
      return await attempt(forceRefresh);
    } catch (error) {
      // A new sign-in landed between reading the row and using the cache: once more, with it.
      if (error instanceof GrantReplaced) return attempt(forceRefresh);
      throw error;
    }
  };

  let inFlight: Promise<string> | null = null;
  return {
    token(forceRefresh) {
      if (inFlight && !forceRefresh) return inFlight;
      const p = acquire(forceRefresh).finally(() => {
        if (inFlight === p) inFlight = null;
      });
      inFlight = p;
      return p;
    },
    async account() {
      const row = await deps.store.getGrant(PARTNER_CENTER_GRANT);
      return row?.account ?? null;
    },
  };
}
