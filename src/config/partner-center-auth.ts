/**
 * `partnerCenter.auth`: the delegated (app + user) sign-in to Partner Center. Partner Center's
 * Referrals API takes app + user tokens only; `cosell-sync login partner-center` signs in with the
 * device code flow and the token cache is kept in the store, encrypted with the key in `keyEnv`.
 */
import { z } from 'zod';
import { strictObject } from './zod-issues';

const text = z.string().min(1);

export const PARTNER_CENTER_AUTH_SCHEMA = strictObject({
  /** The partner's Entra tenant (GUID or domain). */
  tenantId: text,
  /** The Entra app registration: a public client allowed the device code flow, with the Partner API's delegated permission. */
  clientId: text,
  /** Default https://login.microsoftonline.com/<tenantId>. */
  authority: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  /** Default https://api.partner.microsoft.com/user_impersonation and offline_access. */
  scopes: z.array(text).min(1).optional(),
  /** Environment variable holding the 32-byte token-cache key (base64 or hex); default COSELL_TOKEN_KEY. */
  keyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name').optional(),
});

export type PartnerCenterAuthConfig = z.output<typeof PARTNER_CENTER_AUTH_SCHEMA>;
