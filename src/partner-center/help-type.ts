/**
 * Help type <-> `inviteContext.assistanceRequestCode` (enum from the Partner Center Referrals
 * connector definition, apiDefinition.swagger.json). Two of our help types have no code of their
 * own and travel as GeneralOrOther; reading back, a code we do not know is reported, not guessed.
 */
import type { HelpType } from '../core/model';

const TO_CODE = {
  none: null,
  'technical-architecture': 'CustomerTechnicalArchitecture',
  'cost-pricing': 'QuotesOrLicensing',
  deployment: 'PostSalesCustomerSuccess',
  'customer-relationship': 'GeneralOrOther',
  'product-demo': 'ProofOfConceptOrDemo',
  general: 'GeneralOrOther',
} as const satisfies Record<HelpType, string | null>;

const FROM_CODE: Record<string, HelpType> = {
  Unknown: 'general',
  GeneralOrOther: 'general',
  CustomerTechnicalArchitecture: 'technical-architecture',
  ProofOfConceptOrDemo: 'product-demo',
  QuotesOrLicensing: 'cost-pricing',
  PostSalesCustomerSuccess: 'deployment',
  WorkloadSpecificValueProposition: 'technical-architecture',
};

export function assistanceCodeOf(help: HelpType): string | null {
  return TO_CODE[help];
}

/** `known: false` for a code outside the documented enum (the caller logs it and keeps the text). */
export function helpTypeOf(code: string | null | undefined): { help: HelpType; known: boolean } {
  if (code === null || code === undefined || code === '') return { help: 'none', known: true };
  const help = FROM_CODE[code];
  return help === undefined ? { help: 'general', known: false } : { help, known: true };
}
