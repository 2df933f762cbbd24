/**
 * Entra ID client credentials through MSAL's ConfidentialClientApplication (client secret or
 * certificate). MSAL caches the token and renews it before expiry (tokenRenewalOffsetSeconds,
 * 5 minutes by default); `token(true)` skips the cache after a 401. Concurrent callers share one
 * acquisition (single flight). A loopback http authority (the simulator) is reached as
 * connectors/shared/msal-authority.ts describes.
 * Docs: "Microsoft identity platform and the OAuth 2.0 client credentials flow".
 */
import { ConfidentialClientApplication, type Configuration } from '@azure/msal-node';
import { ConnectorError } from '../../src/errors';
import { TimeoutError } from '../shared/http';
import { msalAuthority } from '../shared/msal-authority';
import type { DynamicsAuth } from './options';

export interface TokenSource {
  token(forceRefresh: boolean): Promise<string>;
}

function msalConfiguration(auth: DynamicsAuth): Configuration {
  const credential =
    'clientSecret' in auth
      ? { clientSecret: auth.clientSecret }
      : { clientCertificate: { thumbprint: auth.certificate.thumbprint, privateKey: auth.certificate.privateKey } };
  const settings = msalAuthority({ tenantId: auth.tenantId, authority: auth.authority, label: 'dynamics auth.authority' });
  return { auth: { clientId: auth.clientId, ...settings.auth, ...credential }, ...(settings.system ? { system: settings.system } : {}) };
}

/** A token request still unanswered after `timeoutMs` fails as a retryable timeout (the identity service may just be slow). */
function boundedBy(timeoutMs: number | undefined, work: Promise<string>, label: string): Promise<string> {
  if (timeoutMs === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError({ code: 'transient', retryable: true, message: `${label} token request: no answer within ${timeoutMs} ms` })), timeoutMs);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** `timeoutMs` bounds each token request (the connector's `options.timeoutMs`); without it a request may wait as long as MSAL does. */
export function createTokenSource(auth: DynamicsAuth, orgUrl: string, timeoutMs?: number, label = 'dynamics'): TokenSource {
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
      throw new ConnectorError({ code: 'auth', message: `${label} token request failed: ${detail ?? 'unknown'}`, retryable: false, cause: error });
    }
  };
  return {
    token(forceRefresh) {
      if (inFlight && !forceRefresh) return inFlight;
      const p = boundedBy(timeoutMs, acquire(forceRefresh), label).finally(() => {
        if (inFlight === p) inFlight = null;
      });
      inFlight = p;
      return p;
    },
  };
}
