/**
 * The OAuth 2.0 token endpoint (POST /services/oauth2/token, form-encoded) for the JWT bearer and
 * client-credentials flows, and bearer-token checks for API calls. Replies follow Salesforce's
 * token response (access_token, instance_url, id, token_type, issued_at, signature) and its
 * `{error, error_description}` failures.
 */
import { createHmac, createPublicKey, randomBytes, verify } from 'node:crypto';
import type { SimResponse } from './http-util';

export interface SimAuthConfig {
  clientId: string;
  clientSecret?: string;
  /** PEM; when given, JWT assertions must be RS256-signed with the matching private key. */
  publicKeyPem?: string;
  /** When given, a JWT's `sub` must equal it. */
  username?: string;
}

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const AUDIENCES = ['https://login.salesforce.com', 'https://test.salesforce.com'];

const oauthError = (status: number, error: string, description: string): SimResponse => ({ status, body: { error, error_description: description } });

function decodePart(part: string | undefined): Record<string, unknown> | null {
  if (!part) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export class SimAuth {
  private readonly tokens = new Set<string>();
  tokenRequests = 0;

  constructor(
    private readonly config: SimAuthConfig | undefined,
    private readonly ids: { url: () => string; orgId: string; userId: string },
    private readonly now: () => number,
  ) {}

  isValid(authorization: string | undefined): boolean {
    const m = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
    return m?.[1] !== undefined && this.tokens.has(m[1]);
  }

  /** Every issued token stops working (as when an admin revokes sessions). */
  expireAll(): void {
    this.tokens.clear();
  }

  token(form: URLSearchParams): SimResponse {
    this.tokenRequests += 1;
    const grant = form.get('grant_type');
    if (grant === JWT_GRANT) {
      const problem = this.checkJwt(form.get('assertion') ?? '');
      if (problem) return oauthError(400, 'invalid_grant', problem);
    } else if (grant === 'client_credentials') {
      const cfg = this.config;
      if (cfg && (form.get('client_id') !== cfg.clientId || form.get('client_secret') !== cfg.clientSecret)) {
        return oauthError(400, 'invalid_client', 'invalid client credentials');
      }
    } else {
      return oauthError(400, 'unsupported_grant_type', 'grant type not supported');
    }
    const accessToken = `00D!${randomBytes(24).toString('base64url')}`;
    this.tokens.add(accessToken);
    const issuedAt = String(this.now());
    const idUrl = `${this.ids.url()}/id/${this.ids.orgId}/${this.ids.userId}`;
    const signature = createHmac('sha256', 'simulator').update(idUrl + issuedAt).digest('base64');
    return {
      status: 200,
      body: { access_token: accessToken, signature, scope: 'api', instance_url: this.ids.url(), id: idUrl, token_type: 'Bearer', issued_at: issuedAt },
    };
  }

  private checkJwt(assertion: string): string | null {
    const parts = assertion.split('.');
    const header = decodePart(parts[0]);
    const claims = decodePart(parts[1]);
    if (parts.length !== 3 || !header || !claims) return 'invalid assertion';
    if (header['alg'] !== 'RS256') return 'invalid assertion: algorithm must be RS256';
    const cfg = this.config;
    if (typeof claims['iss'] !== 'string' || (cfg && claims['iss'] !== cfg.clientId)) return 'invalid client credentials';
    if (typeof claims['sub'] !== 'string' || (cfg?.username !== undefined && claims['sub'] !== cfg.username)) return 'user hasn\'t approved this consumer';
    const aud = claims['aud'];
    if (typeof aud !== 'string' || ![...AUDIENCES, this.ids.url()].includes(aud.replace(/\/$/, ''))) return 'audience is invalid';
    if (typeof claims['exp'] !== 'number' || claims['exp'] * 1000 < this.now()) return 'expired authorization code';
    if (cfg?.publicKeyPem) {
      const ok = verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), createPublicKey(cfg.publicKeyPem), Buffer.from(parts[2] ?? '', 'base64url'));
      if (!ok) return 'invalid assertion: signature does not verify';
    }
    return null;
  }
}
