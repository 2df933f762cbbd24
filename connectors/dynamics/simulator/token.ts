/**
 * Entra ID endpoints the confidential client needs: instance discovery, the tenant's OpenID
 * configuration, and the v2.0 token endpoint with the client-credentials grant (client secret or
 * an RFC 7523 client assertion signed with the app's certificate). Tokens are opaque here.
 */
import { createPublicKey, randomBytes, randomUUID, verify, constants } from 'node:crypto';
import type { SimResponse } from './context';

export interface SimClient {
  clientId: string;
  clientSecret?: string;
  /** Certificate credential: hex SHA-1 thumbprint and the PEM public key that verifies assertions. */
  certificate?: { thumbprint: string; publicKey: string };
}

export interface TokenState {
  clients: SimClient[];
  lifetimeSeconds: number;
  /** access token -> expiry (ms since epoch). */
  issued: Map<string, number>;
  now: () => Date;
}

const reply = (status: number, value: unknown): SimResponse => ({
  status,
  headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
  body: JSON.stringify(value),
});

function aadError(status: number, error: string, code: number, description: string): SimResponse {
  return reply(status, {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}`,
    error_codes: [code],
    timestamp: new Date().toISOString(),
    trace_id: randomUUID(),
    correlation_id: randomUUID(),
  });
}

export function openIdConfiguration(origin: string, tenant: string): SimResponse {
  const base = `${origin}/${tenant}`;
  return reply(200, {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    issuer: `${origin}/${tenant}/v2.0`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
  });
}

export function instanceDiscovery(origin: string, host: string): SimResponse {
  return reply(200, {
    tenant_discovery_endpoint: `${origin}/{tenant}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  });
}

function decodePart(part: string | undefined): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function assertionValid(client: SimClient, assertion: string, now: Date): boolean {
  const cert = client.certificate;
  const [h, p, s] = assertion.split('.');
  const header = decodePart(h);
  const payload = decodePart(p);
  if (!cert || !header || !payload || s === undefined) return false;
  if (payload.iss !== client.clientId || payload.sub !== client.clientId) return false;
  if (typeof payload.exp !== 'number' || payload.exp * 1000 < now.getTime()) return false;
  const x5t = Buffer.from(cert.thumbprint, 'hex').toString('base64url');
  const s256 = header['x5t#S256'];
  if (header.x5t !== x5t && s256 === undefined) return false;
  const key = createPublicKey(cert.publicKey);
  const data = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s, 'base64url');
  if (header.alg === 'RS256') return verify('sha256', data, key, signature);
  if (header.alg === 'PS256') return verify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
  return false;
}

export function issueToken(state: TokenState, form: URLSearchParams): SimResponse {
  if (form.get('grant_type') !== 'client_credentials') {
    return aadError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
  }
  const scope = form.get('scope') ?? '';
  if (!scope.split(' ').some((s) => s.endsWith('/.default'))) {
    return aadError(400, 'invalid_scope', 1002012, 'The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.');
  }
  const client = state.clients.find((c) => c.clientId === form.get('client_id'));
  if (!client) return aadError(400, 'unauthorized_client', 700016, 'Application was not found in the directory.');
  const secret = form.get('client_secret');
  const assertion = form.get('client_assertion');
  const ok =
    secret !== null
      ? client.clientSecret !== undefined && secret === client.clientSecret
      : assertion !== null && assertionValid(client, assertion, state.now());
  if (!ok) {
    return secret !== null
      ? aadError(401, 'invalid_client', 7000215, 'Invalid client secret provided.')
      : aadError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
  }
  const token = randomBytes(24).toString('base64url');
  state.issued.set(token, state.now().getTime() + state.lifetimeSeconds * 1000);
  return reply(200, { token_type: 'Bearer', expires_in: state.lifetimeSeconds, ext_expires_in: state.lifetimeSeconds, access_token: token });
}

export function tokenValid(state: TokenState, authorization: string | undefined): boolean {
  const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  const expiry = token === undefined ? undefined : state.issued.get(token);
  return expiry !== undefined && expiry > state.now().getTime();
}
