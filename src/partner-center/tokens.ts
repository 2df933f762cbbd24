/**
 * Where the Partner Center connector gets its delegated (app + user) access token. The choice is
 * made here, once: the composition root hands in the delegated sign-in it has, and a sandbox or a
 * test may hand in a source of its own. Without either, every call fails with a clear `auth`
 * error naming the command that signs in, so the instance shows as not ready, never as silent.
 */
import { ConnectorError } from '../errors';
import type { PartnerTokenSource } from '../ports/referral';

/** The `partnerCenter.auth` block, as far as choosing a token source needs it. */
export interface PartnerAuthSettings {
  tenantId: string;
  clientId: string;
}

export type PartnerTokenFactory = (auth: PartnerAuthSettings) => PartnerTokenSource;

export const NOT_SIGNED_IN_MESSAGE =
  'partner center: no delegated sign-in for this tenant and client; run `cosell-sync login partner-center` first';

/** A source that refuses every call: nothing here may sign in on its own. */
export const notSignedIn: PartnerTokenFactory = () => ({
  token: async () => {
    throw new ConnectorError({ code: 'auth', message: NOT_SIGNED_IN_MESSAGE, retryable: false });
  },
});

/** The token source of the configured Partner Center instance: the one handed in, else the delegated sign-in. */
export function partnerTokenSource(auth: PartnerAuthSettings, choice: { given?: PartnerTokenSource; delegated?: PartnerTokenFactory }): PartnerTokenSource {
  if (choice.given !== undefined) return choice.given;
  return (choice.delegated ?? notSignedIn)(auth);
}
