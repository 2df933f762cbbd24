/**
 * Pointing MSAL at an Entra authority, shared by the client-credentials (Dynamics, Graph mail) and
 * the delegated (Partner Center) token sources.
 *
 * Loopback authorities (the simulators): MSAL only accepts https authorities and, for an unknown
 * host, runs instance discovery and fetches the OpenID configuration. For an http authority on a
 * loopback address we therefore
 *   1. hand MSAL the same URL with https (`knownAuthorities` lists its host, so no discovery is
 *      attempted against login.microsoftonline.com),
 *   2. supply `cloudDiscoveryMetadata` and `authorityMetadata` built from that authority, so MSAL
 *      needs no metadata round trip at all, and
 *   3. give MSAL a `system.networkClient` that sends its requests for that host over plain http.
 * The requests themselves are MSAL's own (form bodies, assertions signed by MSAL); only the
 * transport scheme differs. Non-loopback http authorities are refused. Real authorities use MSAL's
 * defaults untouched.
 * Docs: MSAL Node configuration (knownAuthorities, cloudDiscoveryMetadata, authorityMetadata,
 * networkClient).
 */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { ConfigError } from '../../src/errors';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** MSAL network client that sends https requests for one loopback host over http. */
export class LoopbackNetworkClient implements INetworkModule {
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

export interface MsalAuthoritySettings {
  auth: {
    authority: string;
    knownAuthorities?: string[];
    cloudDiscoveryMetadata?: string;
    authorityMetadata?: string;
  };
  system?: { networkClient: INetworkModule };
}

/**
 * The authority part of an MSAL configuration. `authority` defaults to
 * https://login.microsoftonline.com/<tenantId>; `label` names the setting in errors
 * (e.g. `dynamics auth.authority`).
 */
export function msalAuthority(params: { tenantId: string; authority?: string | undefined; label: string }): MsalAuthoritySettings {
  let authority: URL;
  try {
    authority = new URL(params.authority ?? `https://login.microsoftonline.com/${params.tenantId}`);
  } catch (error) {
    throw new ConfigError(`${params.label} is not a URL: ${String(params.authority)}`, error);
  }
  if (authority.protocol === 'https:') return { auth: { authority: authority.toString().replace(/\/$/, '') } };
  if (authority.protocol !== 'http:' || !LOOPBACK.has(authority.hostname)) {
    throw new ConfigError(`${params.label} must be https (http only on a loopback address): ${authority.origin}`);
  }
  const host = authority.host;
  const base = `https://${host}${authority.pathname.replace(/\/$/, '')}`;
  return {
    auth: {
      authority: base,
      knownAuthorities: [host],
      cloudDiscoveryMetadata: JSON.stringify({
        tenant_discovery_endpoint: `${base}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      }),
      authorityMetadata: JSON.stringify({
        token_endpoint: `${base}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
        issuer: `${base}/v2.0`,
      }),
    },
    system: { networkClient: new LoopbackNetworkClient(host) },
  };
}
