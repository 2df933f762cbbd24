/**
 * Access tokens for the connector: OAuth 2.0 JWT bearer (RS256 assertion signed with node:crypto;
 * Salesforce Help "OAuth 2.0 JWT Bearer Flow for Server-to-Server Integration") or client
 * credentials. Neither flow returns a refresh token, so "refresh" means asking again.
 */
import { sign } from 'node:crypto';
import jsforce from 'jsforce';
import { z } from 'zod';

export type SalesforceAuth =
  | { kind: 'jwt'; clientId: string; username: string; privateKey: string; audience?: string }
  | { kind: 'client_credentials'; clientId: string; clientSecret: string };

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

const TokenResponse = z.object({ access_token: z.string().min(1), instance_url: z.string().url(), id: z.string().min(1) });
export type Token = { accessToken: string; instanceUrl: string };

/** login.salesforce.com / test.salesforce.com for real orgs (the JWT flow requires them); the login URL itself elsewhere. */
export function defaultAudience(loginUrl: string): string {
  const host = new URL(loginUrl).hostname;
  if (host === 'test.salesforce.com' || host.includes('--') || host.endsWith('.sandbox.my.salesforce.com')) return 'https://test.salesforce.com';
  if (host.endsWith('salesforce.com')) return 'https://login.salesforce.com';
  return loginUrl.replace(/\/$/, '');
}

export function buildJwtAssertion(params: { clientId: string; username: string; audience: string; privateKey: string; nowMs: number }): string {
  const enc = (v: object): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = enc({ alg: 'RS256', typ: 'JWT' });
  // exp: Salesforce accepts at most a few minutes ahead.
  const body = enc({ iss: params.clientId, sub: params.username, aud: params.audience, exp: Math.floor(params.nowMs / 1000) + 180 });
  const signature = sign('RSA-SHA256', Buffer.from(`${head}.${body}`), params.privateKey).toString('base64url');
  return `${head}.${body}.${signature}`;
}

export async function requestToken(loginUrl: string, auth: SalesforceAuth, nowMs: number): Promise<Token> {
  let raw: unknown;
  if (auth.kind === 'jwt') {
    const oauth2 = new jsforce.OAuth2({ loginUrl });
    const assertion = buildJwtAssertion({ clientId: auth.clientId, username: auth.username, audience: auth.audience ?? defaultAudience(loginUrl), privateKey: auth.privateKey, nowMs });
    raw = await oauth2.requestToken({ grant_type: JWT_GRANT, assertion });
  } else {
    const oauth2 = new jsforce.OAuth2({ loginUrl, clientId: auth.clientId, clientSecret: auth.clientSecret });
    raw = await oauth2.requestToken({ grant_type: 'client_credentials' });
  }
  const parsed = TokenResponse.parse(raw);
  return { accessToken: parsed.access_token, instanceUrl: parsed.instance_url };
}
