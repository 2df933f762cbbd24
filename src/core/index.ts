/** The public API of the pure co-sell core. */
export * from './model';
export * from './commands';
export * from './rules';
export * from './clock';
export * from './result';
export * from './fields';
export * from './events';
export { transition } from './lifecycle';
export { STAGE_TRANSITIONS, canTransition, checkStageMove } from './stage-transitions';
export { EXPIRY_WINDOW_DAYS, expiresAt, isExpiryDue } from './expiry';
export { shareableWithMicrosoft, microsoftView, type MicrosoftView } from './sharing';
export {
  deriveType,
  microsoftInvolved,
  microsoftInvited,
  checkMicrosoftInvitable,
  checkPartnerInvitable,
  typeAfterInvitation,
} from './type-rules';
export {
  validateOutboundInput,
  validateInboundInput,
  validateAcceptChanges,
  validateEditChanges,
} from './validate';
export { validatePartnerInvitation } from './validate-invitation';
export { EDITABLE_FIELDS, changedFields } from './edit';
export { microsoftInvitationId, partnerInvitationId } from './invitation-factory';
