/**
 * The Entra ID side of delegated sign-in, as the Partner Center simulator needs it: the OAuth 2.0
 * device authorization grant and refresh tokens on the v2.0 endpoints
 *   POST /{tenant}/oauth2/v2.0/devicecode   (client_id, scope)
 *   POST /{tenant}/oauth2/v2.0/token        (grant_type device_code | refresh_token)
 * with Microsoft's error bodies (`error`, `error_description` starting with the AADSTS code,
 * `error_codes`, trace and correlation ids). A device code answers `authorization_pending` until a
 * test approves its user code, then tokens; after its lifetime, `expired_token`. Each refresh
 * returns a new refresh token (rotation); a revoked grant answers `invalid_grant` (AADSTS50173).
 * Tokens carry an id token and `client_info` as Entra's do, so MSAL builds the signed-in account.
 * Access tokens are opaque; the Referrals API accepts them until they expire or their grant is
 * revoked (revocation reaches access tokens at once, as continuous access evaluation does).
 * Docs: "Microsoft identity platform and the OAuth 2.0 device authorization grant flow",
 * "Refresh tokens in the Microsoft identity platform", "Microsoft Entra authentication and
 * authorization error codes".
 */
import { randomBytes, randomUUID } from 'node:crypto';

export interface EntraUser {
  username: string;
  name: string;
  /** Object id; default a new GUID. */
  oid?: string;
}

export interface EntraReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface EntraOptions {
  tenantId?: string;
  /** Client ids the tenant knows; default any. */
  clientIds?: readonly string[];
  /** Seconds between polls the device code response asks for (Entra says 5). */
  pollIntervalSeconds?: number;
  /** Seconds a device code is valid (Entra: 900). */
  deviceCodeLifetimeSeconds?: number;
  /** Access-token lifetime in seconds (Entra: 3600-5400 by default). */
  accessTokenLifetimeSeconds?: number;
  /**
   * `keep-old` (Entra's behaviour): a refresh returns a new refresh token and the old one stays
   * valid; `revoke-old`: the old one is refused afterwards (tests use it to prove the newest
   * refresh token was kept).
   */
  rotation?: 'keep-old' | 'revoke-old';
  now?: () => number;
}

interface DeviceCode {
  deviceCode: string;
  userCode: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  approvedBy: EntraUser | null;
  redeemed: boolean;
}

interface Grant {
  id: string;
  clientId: string;
  user: Required<EntraUser>;
  scopes: string[];
  revoked: boolean;
}

const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

const json = (status: number, value: unknown): EntraReply => ({
  status,
  headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', Pragma: 'no-cache' },
  body: JSON.stringify(value),
});

function aadError(error: string, code: number, description: string, status = 400): EntraReply {
  const at = new Date().toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
  const trace = randomUUID();
  const correlation = randomUUID();
  return json(status, {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${trace} Correlation ID: ${correlation} Timestamp: ${at}`,
    error_codes: [code],
    timestamp: at,
    trace_id: trace,
    correlation_id: correlation,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  });
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned JWT (alg none): MSAL reads an id token's claims, it does not verify them. */
const unsignedJwt = (claims: Record<string, unknown>): string => `${b64url({ typ: 'JWT', alg: 'none' })}.${b64url(claims)}.`;

/** Eight letters and digits, as Entra's user codes look (no 0/O/1/I). */
function userCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return [...randomBytes(8)].map((b) => alphabet[b % alphabet.length]).join('');
}

export class EntraSimulator {
  readonly tenantId: string;
  private readonly deviceCodes = new Map<string, DeviceCode>();
  private readonly grants = new Map<string, Grant>();
  /** refresh token -> grant id. */
  private readonly refreshTokens = new Map<string, string>();
  /** access token -> grant id and expiry (ms). */
  private readonly accessTokens = new Map<string, { grantId: string; expiresAt: number }>();
  private accessLifetime: number;
  private readonly now: () => number;
  /** Token endpoint calls by grant type, for tests. */
  readonly calls = { devicecode: 0, device_code: 0, refresh_token: 0 };

  constructor(
    private readonly options: EntraOptions = {},
    private readonly origin: () => string = () => 'http://127.0.0.1',
  ) {
    this.tenantId = options.tenantId ?? '72f988bf-86f1-41af-91ab-2d7cd011db47';
    this.accessLifetime = options.accessTokenLifetimeSeconds ?? 3600;
    this.now = options.now ?? Date.now;
  }

  /** Whether `path` is one of the endpoints served here. */
  handles(path: string): boolean {
    return /^\/[^/]+\/oauth2\/v2\.0\/(devicecode|token)$/.test(path);
  }

  route(method: string, path: string, body: string): EntraReply {
    const match = /^\/([^/]+)\/oauth2\/v2\.0\/(devicecode|token)$/.exec(path);
    if (!match) return aadError('invalid_request', 900561, 'The endpoint only accepts POST requests.', 404);
    if (method !== 'POST') return aadError('invalid_request', 900561, 'The endpoint only accepts POST requests.', 405);
    const tenant = decodeURIComponent(match[1] ?? '');
    if (![this.tenantId, 'organizations', 'common'].includes(tenant)) {
      return aadError('invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    }
    const form = new URLSearchParams(body);
    const clientId = form.get('client_id') ?? '';
    if (clientId === '') return aadError('invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
    if (this.options.clientIds && !this.options.clientIds.includes(clientId)) {
      return aadError('unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`);
    }
    if (match[2] === 'devicecode') return this.deviceAuthorization(clientId, form);
    const grantType = form.get('grant_type');
    if (grantType === 'urn:ietf:params:oauth:grant-type:device_code' || grantType === 'device_code') return this.redeemDeviceCode(clientId, form);
    if (grantType === 'refresh_token') return this.redeemRefreshToken(clientId, form);
    return aadError('unsupported_grant_type', 70003, `The app requested an unsupported grant type '${String(grantType)}'.`);
  }

  private deviceAuthorization(clientId: string, form: URLSearchParams): EntraReply {
    this.calls.devicecode++;
    const scopes = (form.get('scope') ?? '').split(' ').filter((s) => s !== '');
    if (scopes.length === 0) return aadError('invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
    const lifetime = this.options.deviceCodeLifetimeSeconds ?? 900;
    const code: DeviceCode = {
      deviceCode: randomBytes(32).toString('base64url'),
      userCode: userCode(),
      clientId,
      scopes,
      expiresAt: this.now() + lifetime * 1000,
      approvedBy: null,
      redeemed: false,
    };
    this.deviceCodes.set(code.deviceCode, code);
    const verificationUri = `${this.origin()}/devicelogin`;
    return json(200, {
      user_code: code.userCode,
      device_code: code.deviceCode,
      verification_uri: verificationUri,
      expires_in: lifetime,
      interval: this.options.pollIntervalSeconds ?? 5,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${code.userCode} to authenticate.`,
    });
  }

  private redeemDeviceCode(clientId: string, form: URLSearchParams): EntraReply {
    this.calls.device_code++;
    const code = this.deviceCodes.get(form.get('device_code') ?? '');
    if (!code || code.clientId !== clientId || code.redeemed) {
      return aadError('invalid_grant', 70000, "The provided value for the input parameter 'device_code' is not valid.");
    }
    if (this.now() > code.expiresAt) {
      return aadError('expired_token', 70020, "The provided value for the input parameter 'device_code' is not valid. This device code has expired.");
    }
    if (code.approvedBy === null) return aadError('authorization_pending', 70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.');
    code.redeemed = true;
    const user = { oid: randomUUID(), ...code.approvedBy };
    const grant: Grant = { id: randomUUID(), clientId, user, scopes: code.scopes, revoked: false };
    this.grants.set(grant.id, grant);
    return this.tokens(grant);
  }

  private redeemRefreshToken(clientId: string, form: URLSearchParams): EntraReply {
    this.calls.refresh_token++;
    const presented = form.get('refresh_token') ?? '';
    const grantId = this.refreshTokens.get(presented);
    const grant = grantId === undefined ? undefined : this.grants.get(grantId);
    if (!grant || grant.clientId !== clientId) {
      return aadError('invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
    }
    if (grant.revoked) {
      return aadError('invalid_grant', 50173, 'The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.');
    }
    if (this.options.rotation === 'revoke-old') this.refreshTokens.delete(presented);
    return this.tokens(grant);
  }

  private tokens(grant: Grant): EntraReply {
    const issuedAt = Math.floor(this.now() / 1000);
    const access = `pc-${randomBytes(24).toString('base64url')}`;
    const refresh = `rt-${randomBytes(32).toString('base64url')}`;
    this.accessTokens.set(access, { grantId: grant.id, expiresAt: this.now() + this.accessLifetime * 1000 });
    this.refreshTokens.set(refresh, grant.id);
    const idToken = unsignedJwt({
      aud: grant.clientId,
      iss: `${this.origin()}/${this.tenantId}/v2.0`,
      iat: issuedAt,
      nbf: issuedAt,
      exp: issuedAt + 3600,
      name: grant.user.name,
      oid: grant.user.oid,
      preferred_username: grant.user.username,
      sub: grant.user.oid,
      tid: this.tenantId,
      ver: '2.0',
    });
    const resourceScopes = grant.scopes.filter((s) => !OIDC_SCOPES.has(s));
    return json(200, {
      token_type: 'Bearer',
      scope: resourceScopes.join(' '),
      expires_in: this.accessLifetime,
      ext_expires_in: this.accessLifetime,
      access_token: access,
      refresh_token: refresh,
      id_token: idToken,
      client_info: b64url({ uid: grant.user.oid, utid: this.tenantId }),
    });
  }

  // ---- test controls ----

  /** The user signs in at the verification page and enters `code`. */
  approve(code: string, user: EntraUser): void {
    const found = [...this.deviceCodes.values()].find((c) => c.userCode === code);
    if (!found) throw new Error(`no device code with user code ${code}`);
    found.approvedBy = user;
  }

  /** Revokes every grant (of `username` when given): its refresh and access tokens stop working. */
  revokeGrants(username?: string): number {
    let count = 0;
    for (const grant of this.grants.values()) {
      if (username !== undefined && grant.user.username !== username) continue;
      grant.revoked = true;
      count++;
    }
    return count;
  }

  /** Lifetime of access tokens issued from now on. */
  setAccessTokenLifetime(seconds: number): void {
    this.accessLifetime = seconds;
  }

  /** Whether the Referrals API takes this access token. */
  accepts(token: string): boolean {
    const issued = this.accessTokens.get(token);
    if (!issued || issued.expiresAt <= this.now()) return false;
    return this.grants.get(issued.grantId)?.revoked === false;
  }

  /** Every refresh token issued and still valid (for tests that look for them in stored bytes). */
  issuedTokens(): { access: string[]; refresh: string[] } {
    return { access: [...this.accessTokens.keys()], refresh: [...this.refreshTokens.keys()] };
  }
}
