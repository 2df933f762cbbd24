/**
 * The port to Microsoft Partner Center's Referrals API (`/v1.0/engagements/referrals`). Types keep
 * the provider's casing and leave enums open: Partner Center adds values without notice, so an
 * unknown status or type is carried as the string it is, never rejected.
 * Resource: https://learn.microsoft.com/en-us/partner-center/developer/referral-resources
 */

export interface ReferralAddress {
  addressLine1?: string | null;
  addressLine2?: string | null;
  city?: string | null;
  state?: string | null;
  postalCode?: string | null;
  /** ISO 3166-1 alpha-2 in every documented example. */
  country?: string | null;
  region?: string | null;
}

export interface ReferralMember {
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  phoneNumber?: string | null;
  contactPreference?: { locale?: string | null; disableNotifications?: boolean | null } | null;
}

export interface ReferralCustomerProfile {
  name?: string | null;
  address?: ReferralAddress | null;
  size?: string | null;
  team?: ReferralMember[] | null;
  ids?: { profileType?: string | null; id?: string | null }[] | null;
}

export interface ReferralConsent {
  consentToToShareInfoWithOthers?: boolean | null;
  consentToContact?: boolean | null;
  /** false: a private deal, not visible to Microsoft sellers. */
  consentToShareReferralWithMicrosoftSellers?: boolean | null;
}

export interface ReferralSolution {
  id?: string | null;
  name?: string | null;
  /** None | Category | Name */
  type?: string | null;
  publisherName?: string | null;
}

export interface ReferralDetails {
  notes?: string | null;
  dealValue?: number | null;
  currency?: string | null;
  closingDateTime?: string | null;
  requirements?: {
    industries?: { id?: string | null }[] | null;
    products?: { id?: string | null }[] | null;
    services?: { id?: string | null }[] | null;
    solutions?: ReferralSolution[] | null;
    [key: string]: unknown;
  } | null;
  [key: string]: unknown;
}

export interface ReferralInviteContext {
  notes?: string | null;
  /** Unknown | GeneralOrOther | CustomerTechnicalArchitecture | ProofOfConceptOrDemo | QuotesOrLicensing | … */
  assistanceRequestCode?: string | null;
  invitedBy?: { organizationId?: string | null; organizationName?: string | null } | null;
  invitedMpnId?: string | null;
}

export interface ReferralRegistration {
  id?: string | null;
  type?: string | null;
  status?: string | null;
  statusReason?: string | null;
  [key: string]: unknown;
}

/** Everything a referral holds but its server-assigned id; also the body of a create. */
export interface ReferralBody {
  engagementId?: string | null;
  externalReferenceId?: string | null;
  organizationId?: string | null;
  organizationName?: string | null;
  name?: string | null;
  createdDateTime?: string | null;
  updatedDateTime?: string | null;
  expirationDateTime?: string | null;
  /** None | New | Active | Closed (open). */
  status?: string | null;
  /** None | Pending | Received | Accepted | Won | Lost | Declined | Expired (open). */
  substatus?: string | null;
  statusReason?: string | null;
  /** Independent | Shared (open). */
  type?: string | null;
  /** None | Direct | MarketingQualified | SalesQualified (open). */
  qualification?: string | null;
  /** Incoming | Outgoing */
  direction?: string | null;
  campaignId?: string | null;
  eTag?: string | null;
  target?: { type?: string | null; id?: string | null }[] | null;
  customerProfile?: ReferralCustomerProfile | null;
  consent?: ReferralConsent | null;
  details?: ReferralDetails | null;
  team?: ReferralMember[] | null;
  inviteContext?: ReferralInviteContext | null;
  registrations?: ReferralRegistration[] | null;
  trackingInfo?: { microsoftMsxId?: string | null; [key: string]: unknown } | null;
  [key: string]: unknown;
}

export interface Referral extends ReferralBody {
  id: string;
}

/** A referral to create. */
export type NewReferral = ReferralBody;

/** RFC 6902 operation; Partner Center supports only `add` and `replace`. */
export interface JsonPatchOperation {
  op: 'add' | 'replace';
  path: string;
  value: unknown;
}

export interface ReferralPage {
  referrals: Referral[];
  /** Absolute `@odata.nextLink`, or null on the last page. */
  nextLink: string | null;
}

export interface ListReferralsParams {
  /** OData `$filter`, built only through `src/partner-center/filter.ts`. */
  filter?: string;
  orderBy?: string;
  /** Page size, at most 100. */
  top?: number;
  signal?: AbortSignal;
}

/** Delegated (app + user) access token for the Partner API. */
export interface PartnerTokenSource {
  /** `forceRefresh` skips any cache: used once after a 401. */
  token(forceRefresh: boolean): Promise<string>;
}

/** A partner as Partner Center knows it (its partner profile). */
export interface PartnerProfile {
  partnerId: string;
  /** Not every documented answer carries it. */
  name: string | null;
}

/**
 * Partner lookup: `GET {base}/v1/profiles/mpn?mpnId={id}` on the Partner Center API; the id is
 * valid when the request succeeds.
 * https://learn.microsoft.com/en-us/partner-center/developer/get-partner-by-mpn-id
 */
export interface PartnerLookupApi {
  /** null when Partner Center answers 404 (no such partner); other failures throw ConnectorErrors. */
  lookupPartner(partnerId: string, signal?: AbortSignal): Promise<PartnerProfile | null>;
}

export interface ReferralApi {
  /** Pages of referrals, following `@odata.nextLink` until the last page. */
  list(params: ListReferralsParams): AsyncIterable<ReferralPage>;
  /** null when Partner Center answers 404. */
  get(id: string, signal?: AbortSignal): Promise<Referral | null>;
  create(referral: NewReferral): Promise<Referral>;
  /**
   * JSON Patch; `etag` becomes `If-Match` when given. A referral changed since is a ConnectorError
   * with code `conflict` and httpStatus 412. Returns the updated referral (`Prefer: return=representation`).
   */
  patch(params: { id: string; operations: readonly JsonPatchOperation[]; etag: string | null }): Promise<Referral>;
  apiUsage(): { calls: number };
  close(): Promise<void>;
}
