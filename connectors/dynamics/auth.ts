/**
 * Entra ID client credentials through MSAL's ConfidentialClientApplication (client secret or
 * certificate). MSAL caches the token and renews it before expiry (tokenRenewalOffsetSeconds,
 * 5 minutes by default); `token(true)` skips the cache after a 401. Concurrent callers share one
 * acquisition (single flight).
 *
 * Loopback authorities (the simulator): MSAL only accepts https authorities and, for an unknown
 * host, runs instance discovery and fetches the OpenID configuration. For an http authority on a
 * loopback address we therefore
 *   1. hand MSAL the same URL with https (`knownAuthorities` lists its host, so no discovery is
 *      attempted against login.microsoftonline.com),
 *   2. supply `cloudDiscoveryMetadata` and `authorityMetadata` built from that authority, so MSAL
 *      needs no metadata round trip at all, and
 *   3. give MSAL a `system.networkClient` that sends its requests for that host over plain http.
 * The token request itself is MSAL's own (form body, client assertion signed by MSAL); only the
 * transport scheme differs. Non-loopback http authorities are refused. Real authorities use MSAL's
 * defaults untouched.
 * Docs: MSAL Node configuration (knownAuthorities, cloudDiscoveryMetadata, authorityMetadata,
 * networkClient) and "Microsoft identity platform and the OAuth 2.0 client credentials flow".
 */
import {
  ConfidentialClientApplication,
  type Configuration,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import { ConfigError, ConnectorError } from '../../src/errors';
import type { DynamicsAuth } from './options';

export interface TokenSource {
  token(forceRefresh: boolean): Promise<string>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** MSAL network client that sends https requests for one loopback host over http. */
class LoopbackNetworkClient implements INetworkModule {
  constructor(private readonly host: string) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }

  private async send<T>(method: string, url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    const target = new URL(url);
    if (target.host !== this.host) throw new Error(`refusing to send an identity request to ${target.host}`);
    target.protocol = 'http:';
    const init: RequestInit = { method };
    if (options?.headers) init.headers = options.headers;
    if (options?.body !== undefined) init.body = options.body;
    const res = await fetch(target, init);
    const text = await res.text();
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k] = v;
    });
    return { status: res.status, headers, body: (text === '' ? {} : JSON.parse(text)) as T };
  }
}

function msalConfiguration(auth: DynamicsAuth): Configuration {
  const authority = new URL(auth.authority ?? `https://login.microsoftonline.com/${auth.tenantId}`);
  const credential =
    'clientSecret' in auth
      ? { clientSecret: auth.clientSecret }
      : { clientCertificate: { thumbprint: auth.certificate.thumbprint, privateKey: auth.certificate.privateKey } };
  if (authority.protocol === 'https:') {
    return { auth: { clientId: auth.clientId, authority: authority.toString().replace(/\/$/, ''), ...credential } };
  }
  if (authority.protocol !== 'http:' || !LOOPBACK.has(authority.hostname)) {
    throw new ConfigError(`dynamics auth.authority must be https (http only on a loopback address): ${authority.origin}`);
  }
  const host = authority.host;
  const secure = `https://${host}${authority.pathname.replace(/\/$/, '')}`;
  const tenantBase = secure;
  return {
    auth: {
      clientId: auth.clientId,
      authority: secure,
      knownAuthorities: [host],
      cloudDiscoveryMetadata: JSON.stringify({
        tenant_discovery_endpoint: `${tenantBase}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      }),
      authorityMetadata: JSON.stringify({
        token_endpoint: `${tenantBase}/oauth2/v2.0/token`,
        authorization_endpoint: `${tenantBase}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${tenantBase}/oauth2/v2.0/logout`,
        jwks_uri: `${tenantBase}/discovery/v2.0/keys`,
        issuer: `${tenantBase}/v2.0`,
      }),
      ...credential,
    },
    system: { networkClient: new LoopbackNetworkClient(host) },
  };
}

export function createTokenSource(auth: DynamicsAuth, orgUrl: string): TokenSource {
  const app = new ConfidentialClientApplication(msalConfiguration(auth));
  const scopes = [`${new URL(orgUrl).origin}/.default`];
  let inFlight: Promise<string> | null = null;
  const acquire = async (forceRefresh: boolean): Promise<string> => {
    try {
      const result = await app.acquireTokenByClientCredential({ scopes, skipCache: forceRefresh });
      if (!result?.accessToken) throw new Error('no access token in the identity response');
      return result.accessToken;
    } catch (error) {
      const detail = error instanceof Error ? (error as { errorCode?: string }).errorCode ?? error.message.split('\n')[0] : String(error);
      throw new ConnectorError({ code: 'auth', message: `dynamics token request failed: ${detail ?? 'unknown'}`, retryable: false, cause: error });
    }
  };
  return {
    token(forceRefresh) {
      if (inFlight && !forceRefresh) return inFlight;
      const p = acquire(forceRefresh).finally(() => {
        if (inFlight === p) inFlight = null;
      });
      inFlight = p;
      return p;
    },
  };
}
