/** The store: one StateStore over SQLite or PostgreSQL. */
export * from './types';
export { createStore, DEFAULT_SQLITE_PATH, type StoreConfig } from './create-store';
export { runExpirySweep, EXPIRY_SWEEP_SOURCE } from './expiry-sweep';
export { encodeCursor, decodeCursor } from './paging';
export type { NotificationLog, NotificationKey, NotificationClaim, NotificationRecord, NotificationStatus, FeedEvent, ConflictFact, FailureStreak } from './notification-log';
export type { GrantStatus, GrantStore, StoredGrant } from '../ports/grant';
