export { Notifier, type NotifierDeps, type TickSummary } from './notifier';
export { planNotifications, eventKind, type GrantAlert, type ReportExpiredGrant, type PlannedNotification, type PlannerFacts } from './planner';
export { NOTIFICATIONS_SCHEMA, NO_NOTIFICATIONS, type NotificationSettings, type GraphMailSettings } from './settings';
export { NOTIFICATION_KINDS, type NotificationKind } from './kinds';
export { DEFAULT_TEMPLATES, renderMail } from './templates';
